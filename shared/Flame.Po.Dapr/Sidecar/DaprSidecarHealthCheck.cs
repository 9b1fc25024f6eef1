using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>Ready when the sidecar's outbound side is (components loaded: <c>/v1.0/healthz/outbound</c>).</summary>
public sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckOutboundHealthAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The Dapr sidecar is unreachable or not ready (its outbound health check fails).");
}
