using Flame.Po.Lifecycle.Archive;
using Flame.Po.Logging;

namespace Flame.Po.Tests.Settings;

public sealed class RetentionSettingsTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData(" ", null)]
    [InlineData("1", 1)]
    [InlineData("30", 30)]
    public void Empty_keeps_forever_and_a_positive_number_is_days(string? value, int? days)
    {
        var logging = new LoggingSettings { LogRetentionDaysText = value };
        var archive = new ArchiveRetentionSettings { ArchiveRetentionDaysText = value };

        logging.Validate().Should().BeEmpty();
        archive.Validate().Should().BeEmpty();
        logging.LogRetentionDays.Should().Be(days);
        archive.ArchiveRetentionDays.Should().Be(days);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1.5")]
    [InlineData("ten")]
    [InlineData("99999999999")]
    public void Anything_else_is_a_clear_startup_error(string value)
    {
        new LoggingSettings { LogRetentionDaysText = value }.Validate().Should().ContainSingle()
            .Which.Should().StartWith("LOG_RETENTION_DAYS must be a positive whole number of days");
        new ArchiveRetentionSettings { ArchiveRetentionDaysText = value }.Validate().Should().ContainSingle()
            .Which.Should().StartWith("ARCHIVE_RETENTION_DAYS must be a positive whole number of days");
    }
}
