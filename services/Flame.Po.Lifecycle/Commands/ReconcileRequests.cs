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
    private readonly Channel<string> _channel;
    private int _pending;

    public ReconcileRequests() =>
        _channel = Channel.CreateBounded<string>(
            new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest },
            _ => Interlocked.Decrement(ref _pending));

    /// <summary>Requests queued or being handled (benchmarks wait for 0 before they measure status-loop ticks).</summary>
    public int Pending => Volatile.Read(ref _pending);

    public void Enqueue(string analysisId)
    {
        // Counted before the write, so a worker finishing it at once never takes the count below zero.
        Interlocked.Increment(ref _pending);
        _channel.Writer.TryWrite(analysisId);
    }

    internal ChannelReader<string> Reader => _channel.Reader;

    internal void Handled() => Interlocked.Decrement(ref _pending);
}

public sealed class ReconcileRequestWorker(ReconcileRequests queue, IServiceScopeFactory scopes, IOptions<LifecycleSettings> settings, ILogger<ReconcileRequestWorker> logger) : BackgroundService
{
    // A follow-up mostly waits on the API server, Keycloak and the database, so a burst of creates is worked off
    // RECONCILE_PARALLELISM at a time, like a tick's steps; with a handful of workers, 500 creates would wait
    // seconds for their objects.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, settings.Value.Parallelism).Select(_ => DrainAsync(stoppingToken)));

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        await foreach (var analysisId in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (settings.Value.ReconcilerEnabled)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<AnalysisReconciler>().ReconcileOneAsync(analysisId, stoppingToken);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(error, "Advancing analysis {AnalysisId} after a command failed; the status loop retries it", analysisId);
            }
            finally
            {
                queue.Handled();
            }
        }
    }
}
