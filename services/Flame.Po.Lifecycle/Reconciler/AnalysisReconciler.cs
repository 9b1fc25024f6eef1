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
/// The level-triggered reconciler (the status loop, DESIGN §3–4). One tick: read the active records (index +
/// bulk get), list the cluster once, probe running analyses concurrently, then advance every analysis through
/// as many idempotent steps as it can take now. A failing analysis or dependency is logged and retried at the
/// next tick; nothing escapes a tick (po-spec B11).
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
        var view = new ClusterView(await ClusterSnapshot.LoadAsync(cluster.Client, analysisId: null, cancellationToken));
        if (!view.Node.IsKnown && records.Count > 0)
        {
            logger.LogWarning(LogEvents.StatusLoop, "Node services for nginx are incomplete: {Error}", view.Node.Error);
        }

        var probes = await ProbeAsync(records, view, cancellationToken);
        var steps = 0;
        await Parallel.ForEachAsync(records, Parallelism(cancellationToken), async (stored, ct) =>
        {
            probes.TryGetValue(stored.Record.AnalysisId, out var probe);
            Interlocked.Add(ref steps, await AdvanceSafelyAsync(stored, view, probe, ct));
        });
        var swept = await SweepOrphansAsync(records, listedAt, view, cancellationToken);
        return new TickReport(records.Count, probes.Count, steps, swept, watch.Elapsed);
    }

    /// <summary>Advances one analysis now (after a command), with a snapshot of only its objects.</summary>
    public async Task ReconcileOneAsync(string analysisId, CancellationToken cancellationToken)
    {
        var stored = await repository.GetAsync(analysisId, cancellationToken);
        if (stored is null || !stored.Record.IsActive)
        {
            return;
        }

        var view = new ClusterView(await ClusterSnapshot.LoadAsync(cluster.Client, analysisId, cancellationToken));
        var probes = await ProbeAsync([stored], view, cancellationToken);
        probes.TryGetValue(analysisId, out var probe);
        await AdvanceSafelyAsync(stored, view, probe, cancellationToken);
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

    /// <summary>healthz of every analysis whose container and nginx run, concurrently with a bounded degree.</summary>
    private async Task<Dictionary<string, ProbeResult>> ProbeAsync(IReadOnlyList<StoredAnalysis> records, ClusterView view, CancellationToken cancellationToken)
    {
        var results = new System.Collections.Concurrent.ConcurrentDictionary<string, ProbeResult>(StringComparer.Ordinal);
        var due = records.Select(s => s.Record)
            .Where(r => r.Phase == LifecyclePhase.Active && r.Desired == Core.Analyses.DesiredState.Running)
            .Select(r => (Record: r, Names: WorkloadNames.For(r.AnalysisId, r.RestartCounter)))
            .Where(x => view.NginxReady(x.Names) && view.NewestPod(x.Names.Deployment)?.Status?.Phase == "Running")
            .ToList();
        await Parallel.ForEachAsync(due, Parallelism(cancellationToken), async (item, ct) =>
        {
            var probe = await endpoint.HealthzAsync(item.Names, ct);
            results[item.Record.AnalysisId] = probe;
            if (probe.Answered)
            {
                await partners.RelayAsync(item.Record.AnalysisId, item.Names, ct);
            }
        });
        return new Dictionary<string, ProbeResult>(results, StringComparer.Ordinal);
    }

    /// <summary>
    /// Objects labelled as ours whose analysis is not active (unknown, finished or forgotten), older than the
    /// grace: a create that crashed between its Secrets and its record, or objects someone re-created. Selected
    /// by label, never by parsing names (po-spec B3). The grace counts back from when the records were read, so
    /// a create whose record was written after that read cannot lose its Secrets.
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

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = settings.Value.Parallelism, CancellationToken = cancellationToken };
}

/// <summary>What one tick did, for the STATUS_LOOP log line and the benchmarks.</summary>
public sealed record TickReport(int ActiveAnalyses, int Probed, int Steps, int OrphansDeleted, TimeSpan Duration);
