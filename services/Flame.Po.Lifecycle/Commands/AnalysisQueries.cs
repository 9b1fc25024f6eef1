using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>Reads for <c>GET /po/status</c> (docs/compatibility.md#status): one entry per known analysis, deleted ones hidden.</summary>
public sealed class AnalysisQueries(AnalysisRepository repository)
{
    public async Task<IReadOnlyDictionary<string, AnalysisStatusView>> StatusesAsync(string? analysisId, CancellationToken cancellationToken)
    {
        IEnumerable<StoredAnalysis> records = analysisId is null
            ? await repository.ListAsync(activeOnly: false, cancellationToken)
            : await repository.GetAsync(analysisId, cancellationToken) is { } one ? [one] : [];
        return records
            .Where(s => s.Record.Desired != DesiredState.Deleted)
            .ToDictionary(
                s => s.Record.AnalysisId,
                s => new AnalysisStatusView(s.Record.Status, s.Record.Progress, s.Record.Reason, s.Record.RestartCounter, s.Record.DeploymentName),
                StringComparer.Ordinal);
    }
}

