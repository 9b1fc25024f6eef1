namespace Flame.Po.Lifecycle.StatusLoop;

/// <summary>
/// When the status loop last completed a tick. Readiness reads it, so a loop that stopped ticking is visible
/// without the process dying (the old service tied health to thread liveness, docs/compatibility.md#healthz).
/// </summary>
public sealed class StatusLoopHeartbeat(TimeProvider time)
{
    private long _lastBeatTicks;

    public DateTimeOffset? LastBeat
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastBeatTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void Beat() => Interlocked.Exchange(ref _lastBeatTicks, time.GetUtcNow().UtcTicks);

    public bool IsFresh(TimeSpan timeout) => LastBeat is { } last && time.GetUtcNow() - last <= timeout;
}
