using System.Diagnostics;
using System.Threading.Channels;

using Flame.Po.Lifecycle.Reconciler;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// Commands return at once and ask for the analysis to be advanced now rather than at the next tick (a create should
/// not wait up to a whole STATUS_LOOP_INTERVAL for its objects). A bounded queue drained in the background;
/// duplicates are harmless because every step is idempotent. An analysis still waiting for the cluster after its
/// follow-up (its pod not yet scheduled or without IP, so nginx cannot be configured) is looked at again after
/// <see cref="RetryDelays"/>, so its objects exist within about a second instead of one status-loop interval later.
/// </summary>
public sealed class ReconcileRequests
{
    /// <summary>Delays before each further look at a starting analysis; then the status loop carries on alone.</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    private readonly Channel<FollowUp> _channel;
    private readonly TimeProvider _time;
    private int _pending;

    public ReconcileRequests(TimeProvider time)
    {
        _time = time;
        _channel = Channel.CreateBounded<FollowUp>(
            new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest },
            _ => Interlocked.Decrement(ref _pending));
    }

    /// <summary>Requests queued, waiting for a retry or being handled (benchmarks wait for 0 before they measure ticks).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues a follow-up; it continues the caller's trace (the create's, docs/architecture.md#metrics-and-traces).</summary>
    public void Enqueue(string analysisId) => Write(new FollowUp(analysisId, 0, Activity.Current?.Context ?? default));

    internal ChannelReader<FollowUp> Reader => _channel.Reader;

    internal void Handled() => Interlocked.Decrement(ref _pending);

    /// <summary>Looks at the analysis again after the next delay; false when the retries are used up.</summary>
    internal bool Retry(FollowUp done, CancellationToken stoppingToken)
    {
        if (done.Attempt >= RetryDelays.Count)
        {
            return false;
        }

        Interlocked.Increment(ref _pending);
        _ = Task.Delay(RetryDelays[done.Attempt], _time, stoppingToken).ContinueWith(
            delay =>
            {
                Interlocked.Decrement(ref _pending);
                if (!delay.IsCanceled)
                {
                    Write(done with { Attempt = done.Attempt + 1 });
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return true;
    }

    private void Write(FollowUp followUp)
    {
        // Counted before the write, so a worker finishing it at once never takes the count below zero.
        Interlocked.Increment(ref _pending);
        _channel.Writer.TryWrite(followUp);
    }
}

/// <summary>
/// One request to advance <see cref="AnalysisId"/>; <see cref="Attempt"/> counts the looks already taken;
/// <see cref="Trace"/> is the span of the command that asked for it.
/// </summary>
internal sealed record FollowUp(string AnalysisId, int Attempt, ActivityContext Trace);

public sealed class ReconcileRequestWorker(ReconcileRequests queue, IServiceScopeFactory scopes, IOptions<LifecycleSettings> settings, ILogger<ReconcileRequestWorker> logger) : BackgroundService
{
    // A follow-up mostly waits on the API server, Keycloak and the database, so a burst of creates is worked off
    // RECONCILE_PARALLELISM at a time, like a tick's steps; with a handful of workers, 500 creates would wait
    // seconds for their objects.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, settings.Value.Parallelism).Select(_ => DrainAsync(stoppingToken)));

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        await foreach (var followUp in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (settings.Value.ReconcilerEnabled)
                {
                    using var activity = LifecycleTelemetry.Source.StartActivity("reconcile follow-up", ActivityKind.Internal, followUp.Trace);
                    activity?.SetTag(LifecycleTelemetry.AnalysisIdTag, followUp.AnalysisId);
                    activity?.SetTag("flame.attempt", followUp.Attempt);
                    await using var scope = scopes.CreateAsyncScope();
                    if (await scope.ServiceProvider.GetRequiredService<AnalysisReconciler>().ReconcileOneAsync(followUp.AnalysisId, stoppingToken))
                    {
                        queue.Retry(followUp, stoppingToken);
                    }
                }
            }
            catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(error, "Advancing analysis {AnalysisId} after a command failed; the status loop retries it", followUp.AnalysisId);
            }
            finally
            {
                queue.Handled();
            }
        }
    }
}
