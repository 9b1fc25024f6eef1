using Flame.Po.Dapr.Triggers;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Persistence;
using Flame.Po.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.StatusLoop;

/// <summary>
/// One tick of the status loop: runs the reconciler over every active analysis. The tick never throws past this
/// point, so one failure cannot stop the loop (docs/compatibility.md#b11). The heartbeat that readiness reads says
/// the loop is alive; a failing dependency is reported by its own health check and in the logs, not by declaring the
/// loop dead.
/// </summary>
public sealed class StatusLoopJob(
    AnalysisReconciler reconciler,
    ClusterConnection cluster,
    DatabaseStatus database,
    StatusLoopHeartbeat heartbeat,
    LifecycleTelemetry telemetry,
    IOptions<LifecycleSettings> settings,
    ILogger<StatusLoopJob> logger) : IPeriodicJob
{
    public const string BindingName = "status-loop";

    private static readonly TimeSpan MigrationWait = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!settings.Value.ReconcilerEnabled)
        {
            heartbeat.Beat();
            logger.LogDebug(LogEvents.StatusLoop, "Status loop idle: the reconciler is disabled (RECONCILER_ENABLED=false)");
            return;
        }

        // The records live in tables the migrations create; a tick before them could only fail. The first tick
        // runs at start-up, usually while the migrations still run: it waits for them rather than giving up, so
        // readiness (which needs one completed tick) follows the schema at once instead of a whole interval later.
        if (!await database.WaitForMigrationAsync(MigrationWait, cancellationToken))
        {
            logger.LogDebug(LogEvents.StatusLoop, "Status loop waits for the database schema");
            return;
        }

        if (!cluster.IsConfigured)
        {
            heartbeat.Beat();
            logger.LogWarning(LogEvents.StatusLoop, "Status loop idle: no Kubernetes cluster is configured (KUBECONFIG or in-cluster service account)");
            return;
        }

        using var activity = LifecycleTelemetry.Source.StartActivity("status_loop tick");
        try
        {
            var report = await reconciler.ReconcileAllAsync(cancellationToken);
            heartbeat.Beat();
            telemetry.TickCompleted(report.Duration);
            var collection = TickGarbage.CollectAfter(report.ActiveAnalyses);
            logger.LogInformation(
                LogEvents.StatusLoop,
                "Status loop iteration completed: {Active} active, {Probed} probed, {Steps} steps, {Orphans} orphans deleted in {DurationMs} ms (memory collected in {CollectionMs} ms)",
                report.ActiveAnalyses, report.Probed, report.Steps, report.OrphansDeleted, (long)report.Duration.TotalMilliseconds, (long)collection.TotalMilliseconds);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            heartbeat.Beat();
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error.GetType().Name);
            logger.LogError(LogEvents.StatusLoop, error, "Status loop iteration failed; retrying at the next tick");
        }
    }
}
