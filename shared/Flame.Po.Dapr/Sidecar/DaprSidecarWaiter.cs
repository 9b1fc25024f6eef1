using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// Holds start-up until the sidecar reports its outbound side ready, so the first state or publish calls do
/// not fail needlessly. After <c>DAPR_SIDECAR_WAIT</c> seconds it starts anyway; readiness keeps reporting.
/// </summary>
public sealed class DaprSidecarWaiter(
    IHttpClientFactory clients, IOptions<DaprSettings> settings, TimeProvider time, ILogger<DaprSidecarWaiter> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow().AddSeconds(settings.Value.SidecarWaitSeconds);
        var client = clients.CreateClient(DaprBuildingBlocks.SidecarClient);
        while (time.GetUtcNow() < deadline)
        {
            try
            {
                using var response = await client.GetAsync("v1.0/healthz/outbound", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    logger.LogInformation("Dapr sidecar is ready");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }

        logger.LogWarning("Dapr sidecar not ready after {seconds} s; starting anyway", settings.Value.SidecarWaitSeconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
