using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Archive;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// <c>GET /po/history</c> (docs/compatibility.md#history): read from the archive table, which holds one row per
/// finished or restarted deployment — executed runs included (docs/compatibility.md#b7), and a repeated stop never
/// overwrites a row (docs/compatibility.md#b27). Every attempt of an analysis appears, oldest first. The archive
/// outlives <c>delete</c> (it is the node's record of what ran); <c>cleanup all</c> and <c>cleanup analyzes</c> clear
/// it.
/// </summary>
public sealed class HistoryQueries(AnalysisArchive archive, AnalysisRepository repository)
{
    /// <summary>Null when the single analysis asked for is neither tracked nor archived.</summary>
    public async Task<PodLogsView?> HistoryAsync(string? analysisId, CancellationToken cancellationToken)
    {
        var archived = await archive.ListAsync(analysisId, cancellationToken);
        var view = new PodLogsView();
        if (analysisId is not null)
        {
            if (archived.Count == 0 && await repository.GetAsync(analysisId, cancellationToken) is null or { Record.Desired: DesiredState.Deleted })
            {
                return null;
            }

            // A tracked analysis with nothing archived yet still gets its key: an empty list, not a missing entry.
            view.Add(analysisId, [], []);
        }

        foreach (var deployment in archived)
        {
            view.Add(
                deployment.AnalysisId,
                deployment.Logs.Analysis.Select(PodLogSanitizer.Sanitize),
                deployment.Logs.Nginx.Select(PodLogSanitizer.Sanitize));
        }

        return view;
    }
}
