using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// Ready only while the host listens for the events every replica must see (<see cref="FanOutListener"/>): a replica
/// that answered <c>/po/events</c> before it listened would miss the first events of its clients.
/// </summary>
public sealed class FanOutHealthCheck(FanOutListener listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(listener.Listening
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Not listening for the events every replica streams (PostgreSQL LISTEN {FanOutListener.Channel}) yet."));
}
