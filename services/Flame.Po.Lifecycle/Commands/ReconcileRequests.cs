using System.Threading.Channels;

using Flame.Po.Lifecycle.Reconciler;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// Commands return at once and ask for the analysis to be advanced now rather than at the next tick
/// (issue 5: "triggered immediately after commands"). A bounded queue drained in the background; duplicates
/// are harmless because every step is idempotent.
/// </summary>
public sealed class ReconcileRequests
{
    private readonly Channel<string> _channel = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Enqueue(string analysisId) => _channel.Writer.TryWrite(analysisId);

    internal ChannelReader<string> Reader => _channel.Reader;
}

public sealed class ReconcileRequestWorker(ReconcileRequests queue, IServiceScopeFactory scopes, IOptions<LifecycleSettings> settings, ILogger<ReconcileRequestWorker> logger) : BackgroundService
{
    private const int Workers = 4;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => DrainAsync(stoppingToken)));

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        await foreach (var analysisId in queue.Reader.ReadAllAsync(stoppingToken))
        {
            if (!settings.Value.ReconcilerEnabled)
            {
                continue;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<AnalysisReconciler>().ReconcileOneAsync(analysisId, stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(error, "Advancing analysis {AnalysisId} after a command failed; the status loop retries it", analysisId);
            }
        }
    }
}
