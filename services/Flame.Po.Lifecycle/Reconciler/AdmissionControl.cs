using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.State;
using Flame.Po.Lifecycle.Analyses;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// <c>MAX_CONCURRENT_ANALYSES</c>: which queued analyses may start. A slot is held by every analysis with a workload
/// (phases Active, Restarting and Finalizing — until its objects are gone) and by every queued analysis admitted but
/// not started yet. Admissions are written to one state document with a compare-and-swap before any analysis starts,
/// so two ticks, a follow-up and a second replica never hand out the same free slot twice. First come, first served
/// by creation time. Restarting analyses keep their slot: a restart never waits.
/// </summary>
public sealed class AdmissionControl(IStateStore store, IOptions<LifecycleSettings> settings, ILogger<AdmissionControl> logger)
{
    public const string Key = "po-admissions";
    private const int ConflictRetries = 10;

    public bool Limited => settings.Value.MaxConcurrentAnalyses > 0;

    /// <summary>
    /// The queued analyses among <paramref name="records"/> (all active records) that may start now; empty when
    /// nothing is queued. Without a limit every queued analysis may (the limit was lifted while some waited).
    /// </summary>
    public async Task<IReadOnlySet<string>> AdmitAsync(IReadOnlyList<StoredAnalysis> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var queued = Queued(records);
        if (queued.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var limit = settings.Value.MaxConcurrentAnalyses;
        if (limit <= 0)
        {
            return queued.Select(r => r.AnalysisId).ToHashSet(StringComparer.Ordinal);
        }

        for (var attempt = 0; ; attempt++)
        {
            var entry = await store.GetAsync(Key, cancellationToken);
            var document = entry?.Get<Admissions>() ?? new Admissions();
            var byId = records.ToDictionary(s => s.Record.AnalysisId, s => s.Record, StringComparer.Ordinal);
            var waiting = queued.Select(r => r.AnalysisId).ToHashSet(StringComparer.Ordinal);

            // Admitted and still waiting to start; the rest of the document is history (started, ended, forgotten).
            var admittedWaiting = document.Admitted.Where(waiting.Contains).ToList();
            var running = byId.Values.Count(r => r.Phase is LifecyclePhase.Active or LifecyclePhase.Restarting or LifecyclePhase.Finalizing);
            var free = limit - running - admittedWaiting.Count;
            var next = queued.Select(r => r.AnalysisId).Where(id => !admittedWaiting.Contains(id)).Take(Math.Max(0, free)).ToList();
            var admitted = admittedWaiting.Concat(next).ToHashSet(StringComparer.Ordinal);
            if (next.Count == 0 && admittedWaiting.Count == document.Admitted.Count)
            {
                return admitted;
            }

            try
            {
                await store.SaveAsync(Key, new Admissions { Admitted = [.. admittedWaiting, .. next] }, entry?.ETag, StateConcurrency.FirstWrite, cancellationToken);
                if (next.Count > 0)
                {
                    logger.LogInformation(Flame.Po.ServiceDefaults.Logging.LogEvents.Action, "Admitted queued analyses {AnalysisIds} ({Running} of {Limit} slots held before)", string.Join(", ", next), running + admittedWaiting.Count, limit);
                }

                return admitted;
            }
            catch (StateConflictException) when (attempt < ConflictRetries)
            {
                // Another tick or replica admitted meanwhile: read its decision and decide again.
            }
        }
    }

    /// <summary>Queued analyses that still want to run, first come first served.</summary>
    public static List<AnalysisRecord> Queued(IEnumerable<StoredAnalysis> records) =>
        [.. records.Select(s => s.Record)
            .Where(r => r.Phase == LifecyclePhase.Queued && r.Desired == DesiredState.Running)
            .OrderBy(r => r.CreatedAt)
            .ThenBy(r => r.AnalysisId, StringComparer.Ordinal)];

    /// <summary>The state document: queued analyses given a slot that had not started when it was written.</summary>
    public sealed record Admissions
    {
        public IReadOnlyList<string> Admitted { get; init; } = [];
    }
}
