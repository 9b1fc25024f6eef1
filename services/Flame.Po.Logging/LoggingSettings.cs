using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Logging;

/// <summary>Limits of log ingestion and the pace of Hub delivery.</summary>
public sealed class LoggingSettings : IValidatedSettings
{
    /// <summary>
    /// Seconds within which a line identical to the analysis's previous line (text, level, status, progress) is
    /// taken as a client retry and stored once. The SDK re-sends an unacknowledged line before its next one.
    /// </summary>
    [ConfigurationKeyName("LOG_RETRY_WINDOW")]
    public double RetryWindowSeconds { get; set; } = 120;

    /// <summary>Longer messages are stored cut to this many characters, with a note of how much was cut.</summary>
    [ConfigurationKeyName("LOG_MESSAGE_MAX_CHARS")]
    public int MessageMaxChars { get; set; } = 16_384;

    /// <summary>Seconds between scans for Hub updates that are due (new work in this process starts at once).</summary>
    [ConfigurationKeyName("HUB_SYNC_INTERVAL")]
    public double HubSyncIntervalSeconds { get; set; } = 2;

    /// <summary>Upper bound of the back-off between failed Hub deliveries for one analysis, in seconds.</summary>
    [ConfigurationKeyName("HUB_RETRY_MAX")]
    public double HubRetryMaxSeconds { get; set; } = 60;

    /// <summary>
    /// Days a log line is kept (docs/compatibility.md#delete-and-retention); empty keeps lines forever. A line still to
    /// be forwarded to the Hub is never removed.
    /// </summary>
    [ConfigurationKeyName("LOG_RETENTION_DAYS")]
    public string? LogRetentionDaysText { get; set; }

    public int? LogRetentionDays => RetentionDays.Parse(LogRetentionDaysText);

    public TimeSpan RetryWindow => TimeSpan.FromSeconds(RetryWindowSeconds);
    public TimeSpan HubSyncInterval => TimeSpan.FromSeconds(HubSyncIntervalSeconds);
    public TimeSpan HubRetryMax => TimeSpan.FromSeconds(HubRetryMaxSeconds);

    public IEnumerable<string> Validate()
    {
        if (RetryWindowSeconds is < 0 or > 86_400)
        {
            yield return "LOG_RETRY_WINDOW must be between 0 and 86400 seconds (0 turns retry detection off).";
        }

        if (MessageMaxChars is < 256 or > 1_048_576)
        {
            yield return "LOG_MESSAGE_MAX_CHARS must be between 256 and 1048576.";
        }

        foreach (var problem in SettingRules.Positive(HubSyncIntervalSeconds, "HUB_SYNC_INTERVAL", "seconds")
                     .Concat(SettingRules.Positive(HubRetryMaxSeconds, "HUB_RETRY_MAX", "seconds"))
                     .Concat(RetentionDays.Validate(LogRetentionDaysText, "LOG_RETENTION_DAYS")))
        {
            yield return problem;
        }
    }
}
