using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Lifecycle.Archive;

/// <summary>How long archived deployments are kept (docs/compatibility.md#delete-and-retention).</summary>
public sealed class ArchiveRetentionSettings : IValidatedSettings
{
    /// <summary>Days an archived deployment is kept; empty keeps the archive forever.</summary>
    [ConfigurationKeyName("ARCHIVE_RETENTION_DAYS")]
    public string? ArchiveRetentionDaysText { get; set; }

    public int? ArchiveRetentionDays => RetentionDays.Parse(ArchiveRetentionDaysText);

    public IEnumerable<string> Validate() => RetentionDays.Validate(ArchiveRetentionDaysText, "ARCHIVE_RETENTION_DAYS");
}
