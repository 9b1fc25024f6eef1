using System.Diagnostics;

using Flame.Po.Dapr.State;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Probing;
using Flame.Po.Lifecycle.Transitions;
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
    ITransitionDriver transitions,
    AdmissionControl admissions,
    EventOutbox outbox,
    OrphanSweep orphans,
    AdvancingAnalyses advancing,
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
        advancing.ForgetBefore(listedAt);
        var records = await repository.ListAsync(activeOnly: true, cancellationToken);
        var view = new ClusterView(await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId: null, cancellationToken));
        var admitted = await admissions.AdmitAsync(records, cancellationToken);
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
            // A command's follow-up is advancing it, or did after the listing: this record is stale, the follow-up
            // had fresher data, and the next tick looks again (AdvancingAnalyses).
            var analysisId = stored.Record.AnalysisId;
            if (advancing.AdvancedSince(analysisId, listedAt))
            {
                return;
            }

            var probe = await ProbeIfDueAsync(stored.Record, view, ct);
            if (probe is not null)
            {
                Interlocked.Increment(ref probed);
            }

            await stepSlots.WaitAsync(ct);
            try
            {
                if (advancing.AdvancedSince(analysisId, listedAt) || advancing.TryBegin(analysisId) is not { } advance)
                {
                    return;
                }

                using (advance)
                {
                    Interlocked.Add(ref steps, (await AdvanceSafelyAsync(stored, view, probe, admitted.Contains(analysisId), listedAt, ct)).Steps);
                }
            }
            finally
            {
                stepSlots.Release();
            }
        });
        var swept = await orphans.SweepAsync(records, listedAt, view.Snapshot, cancellationToken);
        return new TickReport(records.Count, probed, steps, swept.Count, watch.Elapsed);
    }

    /// <summary>
    /// Advances one analysis now (after a command), with a snapshot of only its objects. True when it is still
    /// <c>starting</c> afterwards, i.e. waiting for the cluster (a pod to be scheduled and get its IP, which nginx
    /// needs), so the caller may look again soon instead of leaving it to the next tick — unless a workflow took the
    /// transition over (Dapr mode), which waits by itself. Also true, without doing anything, while the tick is
    /// advancing the analysis: the follow-up then looks again after its next delay.
    /// </summary>
    public async Task<bool> ReconcileOneAsync(string analysisId, CancellationToken cancellationToken)
    {
        using var advance = advancing.TryBegin(analysisId);
        if (advance is null)
        {
            return true;
        }

        var observedAt = timeProvider.GetUtcNow();
        var stored = await repository.GetAsync(analysisId, cancellationToken);
        if (stored is null || !stored.Record.IsActive)
        {
            return false;
        }

        var admitted = stored.Record.Phase == LifecyclePhase.Queued
            && (await admissions.AdmitAsync(await repository.ListAsync(activeOnly: true, cancellationToken), cancellationToken)).Contains(analysisId);
        var view = new ClusterView(await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId, cancellationToken));
        var probe = await ProbeIfDueAsync(stored.Record, view, cancellationToken);
        if ((await AdvanceSafelyAsync(stored, view, probe, admitted, observedAt, cancellationToken)).HandedOff)
        {
            return false;
        }

        return await repository.GetAsync(analysisId, cancellationToken) is { Record: var record }
            && record.Phase == LifecyclePhase.Active
            && record.Desired == Core.Analyses.DesiredState.Running
            && record.Status == Core.Analyses.AnalysisStatus.Starting;
    }

    private async Task<Advance> AdvanceSafelyAsync(StoredAnalysis stored, ClusterView view, ProbeResult? probe, bool admitted, DateTimeOffset observedAt, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["analysis_id"] = stored.Record.AnalysisId, ["deployment"] = stored.Record.DeploymentName });
        try
        {
            return await AdvanceAsync(stored, view, probe, admitted, observedAt, cancellationToken);
        }
        catch (StateConflictException)
        {
            logger.LogDebug(LogEvents.StatusLoop, "Analysis {AnalysisId} was changed concurrently; it is decided again next tick", stored.Record.AnalysisId);
            return default;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(LogEvents.StatusLoop, error, "Advancing analysis {AnalysisId} failed; retrying next tick", stored.Record.AnalysisId);
            return default;
        }
    }

    /// <summary>
    /// Decides and takes steps until the analysis waits, or hands the transition the decided step belongs to over to
    /// its workflow (Dapr mode; see <see cref="ITransitionDriver"/>).
    /// </summary>
    private async Task<Advance> AdvanceAsync(StoredAnalysis stored, ClusterView view, ProbeResult? probe, bool admitted, DateTimeOffset observedAt, CancellationToken cancellationToken)
    {
        var policy = settings.Value.ToPolicy();
        var observation = view.Observe(stored.Record, probe) with { Admitted = admitted };
        var steps = 0;
        var current = stored;
        while (steps < MaxStepsPerPass)
        {
            var action = LifecycleDecision.Decide(current.Record, observation, timeProvider.GetUtcNow(), policy);
            if (action is Wait)
            {
                break;
            }

            if (transitions.RunsTransitions && TransitionPlan.StepOf(current.Record, action) is not null)
            {
                // Events first: the workflow's first step writes the record too, and would lose the compare-and-swap.
                current = await outbox.FlushAsync(current, cancellationToken);
                if (await transitions.HandOffAsync(current.Record, action, observedAt, cancellationToken))
                {
                    return new Advance(steps, HandedOff: true);
                }
            }

            steps++;
            logger.LogInformation(LogEvents.Action, "Analysis {AnalysisId} ({Status}, {Phase}): {Step}", current.Record.AnalysisId, current.Record.Status, current.Record.Phase, action);
            var (next, nextObservation) = await executor.ApplyAsync(current, observation, action, view, cancellationToken);
            if (next is null)
            {
                return new Advance(steps, HandedOff: false);
            }

            (current, observation) = (next, nextObservation);
        }

        await outbox.FlushAsync(current, cancellationToken);
        return new Advance(steps, HandedOff: false);
    }

    /// <summary>Steps taken in one pass, and whether a workflow took over the rest.</summary>
    private readonly record struct Advance(int Steps, bool HandedOff);

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

    private ParallelOptions ProbeParallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = settings.Value.ProbeParallelism, CancellationToken = cancellationToken };
}

/// <summary>What one tick did, for the STATUS_LOOP log line and the benchmarks.</summary>
public sealed record TickReport(int ActiveAnalyses, int Probed, int Steps, int OrphansDeleted, TimeSpan Duration);
