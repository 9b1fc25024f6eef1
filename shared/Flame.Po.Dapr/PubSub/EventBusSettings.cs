using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Dapr.PubSub;

/// <summary>Redelivery policy of the embedded bus (Dapr mode uses the component and resiliency policy).</summary>
public sealed class EventBusSettings : IValidatedSettings
{
    [ConfigurationKeyName("PUBSUB_MAX_ATTEMPTS")]
    public int MaxAttempts { get; set; } = 20;

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate() => SettingRules.Positive(MaxAttempts, "PUBSUB_MAX_ATTEMPTS", "attempts");
}
