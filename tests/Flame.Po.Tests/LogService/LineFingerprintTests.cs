using Flame.Po.Core.Contracts;
using Flame.Po.Logging.Ingestion;

namespace Flame.Po.Tests.LogService;

public sealed class LineFingerprintTests
{
    private static readonly StreamLogCommand Line = new() { AnalysisId = "a", Log = "epoch 1", LogType = "info", Status = "executing", Progress = 10 };

    [Fact]
    public void The_same_line_has_the_same_fingerprint_whatever_its_key_or_analysis() =>
        LineFingerprint.Of(Line with { IdempotencyKey = "k", AnalysisId = "b" }).Should().Equal(LineFingerprint.Of(Line));

    public static TheoryData<StreamLogCommand> Changed => new()
    {
        Line with { Log = "epoch 2" },
        Line with { LogType = "warn" },
        Line with { Status = "executed" },
        Line with { Progress = 11 },
        Line with { Progress = null },
        Line with { Progress = 0 },
        Line with { Log = "epoch 1info", LogType = "" },
    };

    [Theory]
    [MemberData(nameof(Changed))]
    public void Any_change_of_text_level_status_or_progress_changes_it(StreamLogCommand other) =>
        LineFingerprint.Of(other).Should().NotEqual(LineFingerprint.Of(Line));
}
