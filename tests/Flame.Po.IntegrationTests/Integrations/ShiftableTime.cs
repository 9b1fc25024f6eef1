namespace Flame.Po.IntegrationTests.Integrations;

/// <summary>System time plus an offset a test moves forward; timers stay real (Polly delays and timeouts still run).</summary>
public sealed class ShiftableTime : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
