using Dapr.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// Holds start-up until the sidecar reports its outbound side ready (<see cref="DaprClient.WaitForSidecarAsync"/>),
/// so the first state or publish calls do not fail needlessly. After <c>DAPR_SIDECAR_WAIT</c> seconds it starts
/// anyway; readiness keeps reporting the sidecar.
/// </summary>
public sealed class DaprSidecarWaiter(DaprClient dapr, IOptions<DaprSettings> settings, ILogger<DaprSidecarWaiter> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(settings.Value.SidecarWaitSeconds));
        try
        {
            await dapr.WaitForSidecarAsync(wait.Token);
            logger.LogInformation("Dapr sidecar is ready");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Dapr sidecar not ready after {seconds} s; starting anyway", settings.Value.SidecarWaitSeconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
