using System.Diagnostics;

using Flame.Po.Dapr.State;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Probing;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// The level-triggered reconciler (the status loop, docs/architecture.md#the-lifecycle-of-an-analysis). One tick:
/// read the active records (index + bulk get), list the cluster once, then probe every running analysis and, as soon
/// as its probe is back, advance it through as many idempotent steps as it can take now. A failing analysis or
/// dependency is logged and retried at the next tick; nothing escapes a tick (docs/compatibility.md#b11).
/// </summary>
public sealed class AnalysisReconciler(
    AnalysisRepository repository,
    ClusterConnection cluster,
    AnalysisEndpoint endpoint,
    PartnerStatusRelay partners,
    StepExecutor executor,
    EventOutbox outbox,
    IOptions<LifecycleSettings> settings,
    TimeProvider timeProvider,
    ILogger<AnalysisReconciler> logger)
{
    /// <summary>Steps one analysis may take in one pass (a stop takes four: archive, delete, Keycloak, complete).</summary>
    public const int MaxStepsPerPass = 12;

    public async Task<TickReport> ReconcileAllAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var listedAt = timeProvider.GetUtcNow();
        var records = await repository.ListAsync(activeOnly: true, cancellationToken);
        var view = new ClusterView(await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId: null, cancellationToken));
        if (!view.Node.IsKnown && records.Count > 0)
        {
            logger.LogWarning(LogEvents.StatusLoop, "Node services for nginx are incomplete: {Error}", view.Node.Error);
        }

        // Each analysis is advanced as soon as its own probe is back: an analysis that does not answer holds only
        // its own probe slot for HEALTHZ_TIMEOUT, never the others' steps. Probes wait on the network, so far more
        // of them run at once (PROBE_PARALLELISM) than steps, which cost CPU, database and API-server writes.
        using var stepSlots = new SemaphoreSlim(settings.Value.Parallelism);
        var probed = 0;
        var steps = 0;
        await Parallel.ForEachAsync(records, ProbeParallelism(cancellationToken), async (stored, ct) =>
        {
            var probe = await ProbeIfDueAsync(stored.Record, view, ct);
            if (probe is not null)
            {
                Interlocked.Increment(ref probed);
            }

            await stepSlots.WaitAsync(ct);
            try
            {
                Interlocked.Add(ref steps, await AdvanceSafelyAsync(stored, view, probe, ct));
            }
            finally
            {
                stepSlots.Release();
            }
        });
        var swept = await SweepOrphansAsync(records, listedAt, view, cancellationToken);
        return new TickReport(records.Count, probed, steps, swept, watch.Elapsed);
    }

    /// <summary>
    /// Advances one analysis now (after a command), with a snapshot of only its objects. True when it is still
    /// <c>starting</c> afterwards, i.e. waiting for the cluster (a pod to be scheduled and get its IP, which nginx
    /// needs), so the caller may look again soon instead of leaving it to the next tick.
    /// </summary>
    public async Task<bool> ReconcileOneAsync(string analysisId, CancellationToken cancellationToken)
    {
        var stored = await repository.GetAsync(analysisId, cancellationToken);
        if (stored is null || !stored.Record.IsActive)
        {
            return false;
        }

        var view = new ClusterView(await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId, cancellationToken));
        var probe = await ProbeIfDueAsync(stored.Record, view, cancellationToken);
        await AdvanceSafelyAsync(stored, view, probe, cancellationToken);
        return await repository.GetAsync(analysisId, cancellationToken) is { Record: var record }
            && record.Phase == LifecyclePhase.Active
            && record.Desired == Core.Analyses.DesiredState.Running
            && record.Status == Core.Analyses.AnalysisStatus.Starting;
    }

    private async Task<int> AdvanceSafelyAsync(StoredAnalysis stored, ClusterView view, ProbeResult? probe, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["analysis_id"] = stored.Record.AnalysisId, ["deployment"] = stored.Record.DeploymentName });
        try
        {
            return await AdvanceAsync(stored, view, probe, cancellationToken);
        }
        catch (StateConflictException)
        {
            logger.LogDebug(LogEvents.StatusLoop, "Analysis {AnalysisId} was changed concurrently; it is decided again next tick", stored.Record.AnalysisId);
            return 0;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(LogEvents.StatusLoop, error, "Advancing analysis {AnalysisId} failed; retrying next tick", stored.Record.AnalysisId);
            return 0;
        }
    }

    private async Task<int> AdvanceAsync(StoredAnalysis stored, ClusterView view, ProbeResult? probe, CancellationToken cancellationToken)
    {
        var policy = settings.Value.ToPolicy();
        var observation = view.Observe(stored.Record, probe);
        var steps = 0;
        var current = stored;
        while (steps < MaxStepsPerPass)
        {
            var action = LifecycleDecision.Decide(current.Record, observation, timeProvider.GetUtcNow(), policy);
            if (action is Wait)
            {
                break;
            }

            steps++;
            logger.LogInformation(LogEvents.Action, "Analysis {AnalysisId} ({Status}, {Phase}): {Step}", current.Record.AnalysisId, current.Record.Status, current.Record.Phase, action);
            var (next, nextObservation) = await executor.ApplyAsync(current, observation, action, view, cancellationToken);
            if (next is null)
            {
                return steps;
            }

            (current, observation) = (next, nextObservation);
        }

        await outbox.FlushAsync(current, cancellationToken);
        return steps;
    }

    /// <summary>healthz (then the partner statuses) of an analysis whose container and nginx run; null when not due.</summary>
    private async Task<ProbeResult?> ProbeIfDueAsync(AnalysisRecord record, ClusterView view, CancellationToken cancellationToken)
    {
        if (record.Phase != LifecyclePhase.Active || record.Desired != Core.Analyses.DesiredState.Running)
        {
            return null;
        }

        var names = WorkloadNames.For(record.AnalysisId, record.RestartCounter);
        if (!view.NginxReady(names) || view.NewestPod(names.Deployment)?.Status?.Phase != "Running")
        {
            return null;
        }

        var probe = await endpoint.HealthzAsync(names, cancellationToken);
        if (probe.Answered)
        {
            await partners.RelayAsync(record.AnalysisId, names, cancellationToken);
        }

        return probe;
    }

    /// <summary>
    /// Objects labelled as ours whose analysis is not active (unknown, finished or forgotten), older than the grace:
    /// a create that crashed between its Secrets and its record, or objects someone re-created. Selected by label,
    /// never by parsing names (docs/compatibility.md#b3). The grace counts back from when the records were read, so a
    /// create whose record was written after that read cannot lose its Secrets.
    /// </summary>
    private async Task<int> SweepOrphansAsync(IReadOnlyList<StoredAnalysis> records, DateTimeOffset listedAt, ClusterView view, CancellationToken cancellationToken)
    {
        var active = records.Select(s => s.Record.AnalysisId).ToHashSet(StringComparer.Ordinal);
        // Creation timestamps carry whole seconds: one more second keeps truncation from shortening the grace.
        var cutoff = listedAt - settings.Value.OrphanGrace - TimeSpan.FromSeconds(1);
        var orphans = view.Snapshot.OwnedObjects()
            .Where(item => !active.Contains(ClusterSnapshot.AnalysisIdOf(item)!)
                && item.Metadata.DeletionTimestamp is null
                && (item.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue) < cutoff)
            .ToList();
        var deleted = 0;
        var stillOrphaned = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var orphan in orphans)
        {
            try
            {
                // A create writes its Secrets before its record: one whose record appeared since the list was read
                // (a slow create) is not an orphan. Checked once per analysis, right before its first delete.
                var analysisId = ClusterSnapshot.AnalysisIdOf(orphan)!;
                if (!stillOrphaned.TryGetValue(analysisId, out var orphaned))
                {
                    orphaned = await repository.GetAsync(analysisId, cancellationToken) is not { Record.IsActive: true };
                    stillOrphaned[analysisId] = orphaned;
                }

                if (!orphaned)
                {
                    continue;
                }

                if (await executor.DeleteObjectAsync(orphan, cancellationToken))
                {
                    deleted++;
                    logger.LogInformation(LogEvents.Action, "Deleted orphaned {Kind} {Name}", orphan.Kind, orphan.Metadata.Name);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(LogEvents.StatusLoop, error, "Deleting orphaned {Kind} {Name} failed; retrying next tick", orphan.Kind, orphan.Metadata.Name);
            }
        }

        return deleted;
    }

    private ParallelOptions ProbeParallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = settings.Value.ProbeParallelism, CancellationToken = cancellationToken };
}

/// <summary>What one tick did, for the STATUS_LOOP log line and the benchmarks.</summary>
public sealed record TickReport(int ActiveAnalyses, int Probed, int Steps, int OrphansDeleted, TimeSpan Duration);
