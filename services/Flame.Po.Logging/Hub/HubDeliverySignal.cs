namespace Flame.Po.Logging.Hub;

/// <summary>Wakes the Hub delivery loop when this process stored something for the Hub (other replicas' work is found by polling).</summary>
public sealed class HubDeliverySignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another caller released it between the check and the release: the loop is woken either way.
        }
    }

    public void Dispose() => _signal.Dispose();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
