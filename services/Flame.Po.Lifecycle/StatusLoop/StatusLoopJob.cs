using Flame.Po.Dapr.Triggers;
using Flame.Po.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Lifecycle.StatusLoop;

/// <summary>
/// One tick of the status loop. The reconciler that advances analyses plugs in here; the tick itself never
/// throws past this point, so one failure cannot stop the loop (po-spec B11), and it always records the
/// heartbeat readiness reads.
/// </summary>
public sealed class StatusLoopJob(StatusLoopHeartbeat heartbeat, ILogger<StatusLoopJob> logger) : IPeriodicJob
{
    public const string BindingName = "status-loop";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        heartbeat.Beat();
        logger.LogDebug(LogEvents.StatusLoop, "Status loop iteration completed");
        return Task.CompletedTask;
    }
}
