namespace Flame.Po.Persistence;

/// <summary>
/// Wakes a background loop early when this process did something the loop should act on; work of other replicas is
/// found by the loop's polling interval. Any number of notifications before the loop waits wake it once, and a
/// notification never throws: it is on the hot paths (every stored batch of lines, every published event).
/// </summary>
public abstract class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>1 from a notification until the loop has woken up for it: later notifications only add to that wake-up.</summary>
    private int _pending;

    public void Notify()
    {
        // Only the notification that finds none pending releases, so the semaphore never goes past its one count.
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _signal.Release();
        }
    }

    public void Dispose()
    {
        _signal.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Waits for a notification or the <paramref name="timeout"/>, whichever comes first. Whatever the loop does after
    /// a wake-up covers the notifications made up to then; a later one wakes it again.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!await _signal.WaitAsync(timeout, cancellationToken))
        {
            // No count was taken: a notification made meanwhile is still pending and its release still to come or done.
            return false;
        }

        Volatile.Write(ref _pending, 0);
        return true;
    }
}
