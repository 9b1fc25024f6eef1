using k8s;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.FootprintFloor;

/// <summary>
/// A labelled pod list every 10 s through the official client, against <c>FLOOR_KUBERNETES_URL</c> (this process'
/// own address, so the first list waits until the server listens).
/// </summary>
public sealed class PodListPoll(IKubernetes client, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=flame", cancellationToken: stoppingToken);
            await Task.Delay(TimeSpan.FromSeconds(10), stoppingToken);
        }
    }
}
