using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.StatusLoop;

public sealed class StatusLoopHealthCheck(StatusLoopHeartbeat heartbeat, IOptions<StatusLoopSettings> settings, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var timeout = settings.Value.HeartbeatTimeout;
        var result = heartbeat.LastBeat switch
        {
            null => HealthCheckResult.Unhealthy("status loop has not completed a tick yet"),
            var last when heartbeat.IsFresh(timeout) => HealthCheckResult.Healthy($"last tick {(time.GetUtcNow() - last.Value).TotalSeconds:F0} s ago"),
            var last => HealthCheckResult.Unhealthy(
                $"status loop heartbeat is stale: last tick {(time.GetUtcNow() - last.Value).TotalSeconds:F0} s ago (limit {timeout.TotalSeconds:F0} s)"),
        };
        return Task.FromResult(result);
    }
}
