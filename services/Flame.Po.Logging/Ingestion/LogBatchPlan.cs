using Flame.Po.Core.Contracts;

namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// What one batch of lines does, decided from the locked <c>log_stream</c> rows exactly as if the lines had
/// arrived one by one in queue order: a deleted analysis refuses its lines; a line whose Idempotency-Key is
/// stored (or came earlier in the batch) is a duplicate; a line without key identical to the analysis's previous
/// stored line within the retry window is the SDK's retry. Progress only rises. Pure, so every rule has a table test.
/// </summary>
public sealed class LogBatchPlan
{
    private LogBatchPlan(IReadOnlyList<IngestResult> outcomes, IReadOnlyList<PlannedLine> inserts, IReadOnlyList<StreamUpdate> streams)
    {
        Outcomes = outcomes;
        Inserts = inserts;
        Streams = streams;
    }

    /// <summary>One outcome per input line, in input order.</summary>
    public IReadOnlyList<IngestResult> Outcomes { get; }

    /// <summary>The lines to insert, in the order their ids must follow.</summary>
    public IReadOnlyList<PlannedLine> Inserts { get; }

    /// <summary>The new state of each stream row that received a line.</summary>
    public IReadOnlyList<StreamUpdate> Streams { get; }

    public static LogBatchPlan Decide(
        IReadOnlyList<PendingLine> lines,
        IReadOnlyDictionary<string, LogStreamRow> streams,
        IReadOnlySet<(string AnalysisId, string Key)> storedKeys,
        TimeSpan retryWindow)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(storedKeys);
        var outcomes = new IngestResult[lines.Count];
        var inserts = new List<PlannedLine>();
        var states = new Dictionary<string, StreamUpdate>(StringComparer.Ordinal);
        var keysSeen = new HashSet<(string, string)>(storedKeys);
        for (var i = 0; i < lines.Count; i++)
        {
            var pending = lines[i];
            var line = pending.Line;
            var stream = streams[line.AnalysisId];
            if (stream.Deleted)
            {
                outcomes[i] = IngestResult.AnalysisDeleted;
                continue;
            }

            var state = states.TryGetValue(line.AnalysisId, out var known) ? known : StreamUpdate.From(line.AnalysisId, stream);
            var duplicate = line.IdempotencyKey is { } key
                ? !keysSeen.Add((line.AnalysisId, key))
                : state.IsRetry(pending.Fingerprint, pending.ReceivedAt, retryWindow);
            if (duplicate)
            {
                outcomes[i] = IngestResult.Duplicate;
                continue;
            }

            var progress = line.Progress is { } reported && reported > state.Progress ? reported : state.Progress;
            var reportChanged = progress != state.Progress || !string.Equals(line.Status, state.ReportedStatus, StringComparison.Ordinal);
            inserts.Add(new PlannedLine(pending, stream.DeploymentName));
            states[line.AnalysisId] = state with
            {
                LastFingerprint = pending.Fingerprint,
                LastReceivedAt = pending.ReceivedAt,
                ReportedStatus = line.Status,
                Progress = progress,
                ReportChanges = state.ReportChanges + (reportChanged ? 1 : 0),
                ProgressRose = state.ProgressRose || progress > stream.Progress,
            };
            outcomes[i] = IngestResult.Stored;
        }

        return new LogBatchPlan(outcomes, inserts, states.Values.ToList());
    }
}

/// <summary>A line to insert, with the deployment its analysis runs now.</summary>
public sealed record PlannedLine(PendingLine Pending, string? DeploymentName);

/// <summary>A stream row after the batch's lines (<see cref="ReportChanges"/> lines changed the reported status or progress).</summary>
public sealed record StreamUpdate(
    string AnalysisId,
    byte[]? LastFingerprint,
    DateTimeOffset? LastReceivedAt,
    string? ReportedStatus,
    int Progress,
    int ReportChanges,
    bool ProgressRose)
{
    public static StreamUpdate From(string analysisId, LogStreamRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new StreamUpdate(analysisId, row.LastFingerprint, row.LastReceivedAt, row.ReportedStatus, row.Progress, 0, false);
    }

    public bool IsRetry(byte[] fingerprint, DateTimeOffset receivedAt, TimeSpan window) =>
        LastFingerprint is { } last
        && last.AsSpan().SequenceEqual(fingerprint)
        && LastReceivedAt is { } at
        && receivedAt - at <= window;
}
