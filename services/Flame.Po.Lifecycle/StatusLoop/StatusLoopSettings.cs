using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Lifecycle.StatusLoop;

public sealed class StatusLoopSettings : IValidatedSettings
{
    /// <summary>Seconds between two reconciler ticks (default 10, as before: docs/compatibility.md#configuration).</summary>
    [ConfigurationKeyName("STATUS_LOOP_INTERVAL")]
    public double IntervalSeconds { get; set; } = 10;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    /// <summary>The loop counts as alive while its last tick is younger than this (readiness).</summary>
    public TimeSpan HeartbeatTimeout => TimeSpan.FromSeconds(Math.Max(3 * IntervalSeconds, 30));

    public IEnumerable<string> Validate() => SettingRules.Positive(IntervalSeconds, "STATUS_LOOP_INTERVAL", "seconds");
}
