using Flame.Po.Core.Contracts;
using Flame.Po.Logging.Ingestion;

namespace Flame.Po.Tests.LogService;

/// <summary>
/// A batch decides each line exactly as if the lines had arrived one by one: the table below lists, per case,
/// the lines of one batch (text/key/progress, seconds after the stream's last line) and the expected outcomes.
/// </summary>
public sealed class LogBatchPlanTests
{
    private const string A = "a";
    private const string B = "b";
    private static readonly DateTimeOffset LastAt = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(120);

    /// <summary>Stream <c>a</c> last stored "epoch 1" (progress 10, executing); stream <c>b</c> is new.</summary>
    private static readonly Dictionary<string, LogStreamRow> Streams = new(StringComparer.Ordinal)
    {
        [A] = Row(LineFingerprint.Of(Line(A, "epoch 1", progress: 10)), LastAt, "executing", 10),
        [B] = Row(null, null, null, 0),
    };

    public static TheoryData<string, (string Analysis, string Text, string? Key, int? Progress, int Seconds)[], IngestResult[]> Cases => new()
    {
        { "a retry of the stored last line", [(A, "epoch 1", null, 10, 1)], [IngestResult.Duplicate] },
        { "the same line after the retry window", [(A, "epoch 1", null, 10, 121)], [IngestResult.Stored] },
        { "the same line with a key is not a retry", [(A, "epoch 1", "k1", 10, 1)], [IngestResult.Stored] },
        { "a stored key", [(A, "epoch 9", "stored", 10, 1)], [IngestResult.Duplicate] },
        { "a stored key of another analysis", [(B, "epoch 9", "stored", 10, 1)], [IngestResult.Stored] },
        { "one key twice in a batch", [(A, "epoch 2", "k", 20, 1), (A, "epoch 2", "k", 20, 1)], [IngestResult.Stored, IngestResult.Duplicate] },
        { "a line resent right after itself", [(A, "epoch 2", null, 20, 1), (A, "epoch 2", null, 20, 1)], [IngestResult.Stored, IngestResult.Duplicate] },
        { "a line resent after another line", [(A, "epoch 2", null, 20, 1), (A, "epoch 3", null, 20, 1), (A, "epoch 2", null, 20, 1)], [IngestResult.Stored, IngestResult.Stored, IngestResult.Stored] },
        { "a duplicate does not become the last line", [(A, "epoch 2", "stored", 20, 1), (A, "epoch 1", null, 10, 1)], [IngestResult.Duplicate, IngestResult.Duplicate] },
        { "analyses do not see each other's lines", [(A, "epoch 2", null, 20, 1), (B, "epoch 2", null, 20, 1), (A, "epoch 2", null, 20, 1)], [IngestResult.Stored, IngestResult.Stored, IngestResult.Duplicate] },
        { "a deleted analysis refuses", [("deleted", "epoch 1", null, 10, 1)], [IngestResult.AnalysisDeleted] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_line_is_decided_as_if_it_came_alone(string because, (string Analysis, string Text, string? Key, int? Progress, int Seconds)[] lines, IngestResult[] expected)
    {
        var pending = lines.Select(l => Pending(Line(l.Analysis, l.Text, l.Progress, l.Key), LastAt.AddSeconds(l.Seconds))).ToList();

        var plan = Decide(pending);

        plan.Outcomes.Should().Equal(expected, because);
        plan.Inserts.Select(i => i.Pending).Should().Equal(pending.Where((_, i) => expected[i] == IngestResult.Stored), "stored lines keep their arrival order");
    }

    [Fact]
    public void Progress_only_rises_and_each_report_change_is_counted()
    {
        var plan = Decide([
            Pending(Line(A, "epoch 2", progress: 50), LastAt.AddSeconds(1)),
            Pending(Line(A, "epoch 3", progress: 30), LastAt.AddSeconds(2)),
            Pending(Line(A, "epoch 4", progress: null), LastAt.AddSeconds(3)),
            Pending(Line(A, "done", progress: 50, status: "executed"), LastAt.AddSeconds(4)),
        ]);

        var stream = plan.Streams.Should().ContainSingle().Subject;
        stream.Progress.Should().Be(50);
        stream.ProgressRose.Should().BeTrue();
        stream.ReportedStatus.Should().Be("executed");
        stream.ReportChanges.Should().Be(2, "the rise to 50 and the new status; 30 and no progress change nothing");
        stream.LastReceivedAt.Should().Be(LastAt.AddSeconds(4));
        stream.LastFingerprint.Should().Equal(LineFingerprint.Of(Line(A, "done", progress: 50, status: "executed")));
    }

    [Fact]
    public void Lines_that_change_nothing_reported_do_not_raise_progress_or_reports()
    {
        var plan = Decide([Pending(Line(A, "epoch 2", progress: 10), LastAt.AddSeconds(1))]);

        var stream = plan.Streams.Should().ContainSingle().Subject;
        stream.ProgressRose.Should().BeFalse();
        stream.ReportChanges.Should().Be(0);
    }

    [Fact]
    public void A_batch_with_only_duplicates_and_refusals_writes_nothing()
    {
        var plan = Decide([Pending(Line(A, "epoch 1", progress: 10), LastAt.AddSeconds(1)), Pending(Line("deleted", "x", 1), LastAt)]);

        plan.Inserts.Should().BeEmpty();
        plan.Streams.Should().BeEmpty();
    }

    [Fact]
    public void Lines_of_a_stream_get_its_current_deployment()
    {
        var streams = new Dictionary<string, LogStreamRow>(Streams) { [A] = Streams[A] with { DeploymentName = "analysis-a-2" } };

        var plan = LogBatchPlan.Decide([Pending(Line(A, "epoch 2", 20), LastAt.AddSeconds(1))], streams, new HashSet<(string, string)>(), Window);

        plan.Inserts.Single().DeploymentName.Should().Be("analysis-a-2");
    }

    private static LogBatchPlan Decide(IReadOnlyList<PendingLine> lines)
    {
        var streams = new Dictionary<string, LogStreamRow>(Streams) { ["deleted"] = Row(null, null, null, 0) with { Deleted = true } };
        return LogBatchPlan.Decide(lines, streams, new HashSet<(string, string)> { (A, "stored") }, Window);
    }

    private static StreamLogCommand Line(string analysisId, string text, int? progress, string? key = null, string status = "executing") =>
        new() { AnalysisId = analysisId, Log = text, LogType = "info", Status = status, Progress = progress, IdempotencyKey = key };

    private static PendingLine Pending(StreamLogCommand line, DateTimeOffset at) => new(line, line.Log, LineFingerprint.Of(line), at);

    private static LogStreamRow Row(byte[]? fingerprint, DateTimeOffset? at, string? status, int progress) =>
        new(null, fingerprint, at, status, progress, Deleted: false, EventSequence: 0, EventAt: null, Created: false);
}
