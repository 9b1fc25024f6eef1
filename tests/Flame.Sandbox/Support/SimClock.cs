namespace Flame.Sandbox.Support;

/// <summary>
/// Simulated durations (a scenario's "runtime=20s", back-off delays, start-up times) are multiplied by
/// the time scale, so a test can run a 20 s analysis in 20 ms while timestamps still come from the
/// configured <see cref="TimeProvider"/>.
/// </summary>
public sealed class SimClock(TimeProvider time, double scale)
{
    public TimeProvider Time { get; } = time;

    public double Scale { get; } = scale;

    public DateTimeOffset Now => Time.GetUtcNow();

    public TimeSpan Scaled(TimeSpan simulated) => TimeSpan.FromTicks((long)(simulated.Ticks * Scale));

    public Task Delay(TimeSpan simulated, CancellationToken ct) =>
        Task.Delay(Scaled(simulated), Time, ct);

    /// <summary>Simulated time elapsed since <paramref name="start"/> (real elapsed divided by the scale).</summary>
    public TimeSpan SimulatedSince(DateTimeOffset start) =>
        Scale <= 0 ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)((Now - start).Ticks / Scale));

    public static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string Rfc3339Nano(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", System.Globalization.CultureInfo.InvariantCulture);
}
