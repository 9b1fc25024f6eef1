namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// The <c>log_stream</c> rows as this process' writer last committed them, each with its row version (<c>xmin</c>).
/// A batch whose analyses are all known here is decided from these rows and written in one statement that stores
/// the lines of an analysis only if its row still has the remembered version (<see cref="LogBatchStore.WriteAsync"/>):
/// any change by anyone else in between — another replica's line, the lifecycle's deletion, the report publisher —
/// gives the row a new version, and that analysis' lines are decided again under the row lock. So a line costs one
/// round trip instead of three while every decision stays the one the locked path would make.
/// Owned by the single writer; not thread-safe.
/// </summary>
public sealed class KnownStreams(int capacity = KnownStreams.DefaultCapacity)
{
    /// <summary>More analyses than a node streams at once; past it the memory starts afresh (they are re-read under lock).</summary>
    public const int DefaultCapacity = 10_000;

    private readonly Dictionary<string, LogStreamRow> _rows = new(StringComparer.Ordinal);

    public int Count => _rows.Count;

    /// <summary>
    /// The remembered rows of every analysis of <paramref name="lines"/>, or null when one is unknown or a line carries
    /// an Idempotency-Key (whether a key is stored can only be read under the lock).
    /// </summary>
    public Dictionary<string, LogStreamRow>? RowsOf(IReadOnlyList<PendingLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rows = new Dictionary<string, LogStreamRow>(StringComparer.Ordinal);
        foreach (var pending in lines)
        {
            if (pending.Line.IdempotencyKey is not null)
            {
                return null;
            }

            var id = pending.Line.AnalysisId;
            if (!rows.ContainsKey(id))
            {
                if (!_rows.TryGetValue(id, out var row))
                {
                    return null;
                }

                rows[id] = row;
            }
        }

        return rows;
    }

    /// <summary>
    /// Remembers <paramref name="row"/> after a commit, moved on by the batch's <paramref name="update"/> if it got
    /// lines, at the version the commit gave it. A deleted analysis is forgotten: its lines are refused under the lock.
    /// </summary>
    public void Remember(string analysisId, LogStreamRow row, StreamUpdate? update, string version)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Deleted)
        {
            _rows.Remove(analysisId);
            return;
        }

        if (_rows.Count >= capacity && !_rows.ContainsKey(analysisId))
        {
            _rows.Clear();
        }

        var committed = update is null ? row : row with
        {
            LastFingerprint = update.LastFingerprint,
            LastReceivedAt = update.LastReceivedAt is { } at ? AsStored(at) : null,
            ReportedStatus = update.ReportedStatus,
            Progress = update.Progress,
        };
        _rows[analysisId] = committed with { Created = false, Version = version };
    }

    public void Forget(string analysisId) => _rows.Remove(analysisId);

    /// <summary>The value as PostgreSQL keeps a <c>timestamptz</c>: microseconds, UTC.</summary>
    private static DateTimeOffset AsStored(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
}
