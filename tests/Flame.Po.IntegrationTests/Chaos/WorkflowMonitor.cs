namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// Samples the lifecycle's workflow instances twice a second (Dapr mode) and keeps every run seen FAILED or TERMINATED
/// on the way: the status loop starts such a transition again under the same id, so the end state alone no longer shows
/// it. Not an invariant (a repaired run is the design, docs/architecture.md#transitions); the summary lists them. In a
/// mode without workflow engine it stops at the first sample.
/// </summary>
public sealed class WorkflowMonitor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<WorkflowEnd> _broken = [];
    private readonly Task _loop;

    public WorkflowMonitor(IChaosTarget target, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(target);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var instances = await target.WorkflowsAsync(TimeSpan.Zero);
                    if (instances is null)
                    {
                        return;
                    }

                    lock (_broken)
                    {
                        _broken.UnionWith(instances.Where(i => i.RuntimeStatus is "FAILED" or "TERMINATED"));
                    }

                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
            }
        });
    }

    /// <summary>The runs seen failed or terminated, by instance id.</summary>
    public IReadOnlyList<WorkflowEnd> Broken
    {
        get
        {
            lock (_broken)
            {
                return [.. _broken.OrderBy(w => w.InstanceId, StringComparer.Ordinal)];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
