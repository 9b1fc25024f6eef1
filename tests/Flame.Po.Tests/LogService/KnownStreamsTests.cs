using Flame.Po.Core.Contracts;
using Flame.Po.Logging.Ingestion;

namespace Flame.Po.Tests.LogService;

/// <summary>
/// What the writer remembers of the rows it committed: a batch qualifies for the one-statement write only when every
/// analysis is remembered and no line carries a key; a remembered row is the committed row, to the microsecond.
/// </summary>
public sealed class KnownStreamsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_batch_qualifies_only_when_every_analysis_is_remembered_and_no_line_has_a_key()
    {
        var known = new KnownStreams();
        known.Remember("a", Row(), update: null, version: "100");

        known.RowsOf([Pending("a")]).Should().ContainKey("a").WhoseValue.Version.Should().Be("100");
        known.RowsOf([Pending("a"), Pending("a")]).Should().HaveCount(1);
        known.RowsOf([Pending("a"), Pending("b")]).Should().BeNull("b was never written by this process");
        known.RowsOf([Pending("a", key: "k1")]).Should().BeNull("whether a key is stored is read under the lock");
    }

    [Fact]
    public void A_remembered_row_is_the_row_as_committed_with_the_batch_applied()
    {
        var known = new KnownStreams();
        var fingerprint = new byte[] { 1, 2, 3 };
        var received = At.AddTicks(12_345_678); // 1.2345678 s: PostgreSQL keeps 1.234567 s

        known.Remember("a", Row() with { Created = true, DeploymentName = "analysis-a-1" }, new StreamUpdate("a", fingerprint, received, "executed", 70, 1, true), "101");

        var row = known.RowsOf([Pending("a")])!["a"];
        row.Should().BeEquivalentTo(Row() with
        {
            DeploymentName = "analysis-a-1",
            LastFingerprint = fingerprint,
            LastReceivedAt = At.AddTicks(12_345_670),
            ReportedStatus = "executed",
            Progress = 70,
            Created = false,
            Version = "101",
        });
    }

    [Fact]
    public void A_deleted_or_forgotten_analysis_is_read_under_the_lock_again()
    {
        var known = new KnownStreams();
        known.Remember("a", Row(), update: null, version: "100");
        known.Remember("b", Row(), update: null, version: "100");

        known.Remember("a", Row() with { Deleted = true }, update: null, version: "102");
        known.Forget("b");

        known.Count.Should().Be(0);
    }

    [Fact]
    public void Past_its_capacity_it_starts_afresh_instead_of_growing()
    {
        var known = new KnownStreams(capacity: 3);
        foreach (var id in new[] { "a", "b", "c" })
        {
            known.Remember(id, Row(), update: null, version: "1");
        }

        known.Remember("c", Row(), update: null, version: "2");
        known.Count.Should().Be(3, "a remembered analysis is updated in place");

        known.Remember("d", Row(), update: null, version: "1");
        known.Count.Should().Be(1);
        known.RowsOf([Pending("d")]).Should().NotBeNull();
    }

    private static LogStreamRow Row() =>
        new(null, null, null, null, 0, Deleted: false, EventSequence: 0, EventAt: null, Created: false);

    private static PendingLine Pending(string analysisId, string? key = null)
    {
        var line = new StreamLogCommand { AnalysisId = analysisId, Log = "epoch 1", LogType = "info", Status = "executing", IdempotencyKey = key };
        return new PendingLine(line, line.Log, LineFingerprint.Of(line), At);
    }
}
