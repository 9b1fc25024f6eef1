using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>Reads for <c>GET /po/status</c> (docs/compatibility.md#status): one entry per known analysis, deleted ones hidden.</summary>
public sealed class AnalysisQueries(AnalysisRepository repository)
{
    public async Task<IReadOnlyDictionary<string, AnalysisStatusView>> StatusesAsync(string? analysisId, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredAnalysis> records = analysisId is null
            ? await repository.ListAsync(activeOnly: false, cancellationToken)
            : await repository.GetAsync(analysisId, cancellationToken) is { } one ? [one] : [];
        var queue = await QueuePositionsAsync(analysisId is null ? records : null, records, cancellationToken);
        return records
            .Where(s => s.Record.Desired != DesiredState.Deleted)
            .ToDictionary(
                s => s.Record.AnalysisId,
                s => new AnalysisStatusView(s.Record.Status, s.Record.Progress, s.Record.Reason, s.Record.RestartCounter, s.Record.DeploymentName, queue.GetValueOrDefault(s.Record.AnalysisId)),
                StringComparer.Ordinal);
    }

    /// <summary>Places in the admission queue (1 = next), only when an analysis asked for is queued.</summary>
    private async Task<Dictionary<string, int?>> QueuePositionsAsync(IReadOnlyList<StoredAnalysis>? all, IReadOnlyList<StoredAnalysis> asked, CancellationToken cancellationToken)
    {
        if (!asked.Any(s => s.Record.Phase == LifecyclePhase.Queued))
        {
            return new Dictionary<string, int?>(StringComparer.Ordinal);
        }

        var queued = AdmissionControl.Queued(all ?? await repository.ListAsync(activeOnly: true, cancellationToken));
        return queued.Select((record, index) => (record.AnalysisId, Place: index + 1)).ToDictionary(p => p.AnalysisId, p => (int?)p.Place, StringComparer.Ordinal);
    }
}

