using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>Ready when the sidecar's <c>/v1.0/healthz/outbound</c> answers 204 (components loaded).</summary>
public sealed class DaprSidecarHealthCheck(IHttpClientFactory clients) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await clients.CreateClient(DaprBuildingBlocks.SidecarClient).GetAsync("v1.0/healthz/outbound", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Dapr sidecar not ready: {(int)response.StatusCode}");
        }
        catch (HttpRequestException e)
        {
            return HealthCheckResult.Unhealthy($"Dapr sidecar unreachable: {e.Message}");
        }
    }
}
