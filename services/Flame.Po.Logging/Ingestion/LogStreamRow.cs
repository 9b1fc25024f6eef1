using Npgsql;

namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// An analysis's <c>log_stream</c> row, read under its row lock (created on first use). <see cref="Version"/> is the
/// row version's <c>xmin</c>: every update of the row, by any process, gives it a new one (<see cref="KnownStreams"/>).
/// </summary>
public sealed record LogStreamRow(
    string? DeploymentName,
    byte[]? LastFingerprint,
    DateTimeOffset? LastReceivedAt,
    string? ReportedStatus,
    int Progress,
    bool Deleted,
    long EventSequence,
    DateTimeOffset? EventAt,
    bool Created,
    string Version = "")
{
    public static async Task<LogStreamRow> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string analysisId, CancellationToken cancellationToken) =>
        (await LockAllAsync(connection, transaction, [analysisId], cancellationToken))[analysisId];

    /// <summary>
    /// Inserts the missing rows and locks all of them until the transaction ends, in one statement (the no-op
    /// update takes the lock). Rows are taken in id order, so two replicas locking overlapping sets cannot deadlock.
    /// A new row also gets its <c>hub_sync</c> row, so its lines become deliverable.
    /// </summary>
    public static async Task<Dictionary<string, LogStreamRow>> LockAllAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string> analysisIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(analysisIds);
        var rows = new Dictionary<string, LogStreamRow>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            """
            INSERT INTO log_stream (analysis_id) SELECT id FROM unnest($1::text[]) AS input(id) ORDER BY id
            ON CONFLICT (analysis_id) DO UPDATE SET analysis_id = EXCLUDED.analysis_id
            RETURNING analysis_id, deployment_name, last_fingerprint, last_received_at, reported_status, progress, deleted, event_sequence, event_at, (xmax = 0), xmin::text
            """,
            connection,
            transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = analysisIds.Distinct(StringComparer.Ordinal).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows[reader.GetString(0)] = new LogStreamRow(
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetInt32(5),
                    reader.GetBoolean(6),
                    reader.GetInt64(7),
                    reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    reader.GetBoolean(9),
                    reader.GetString(10));
            }
        }

        var created = rows.Where(row => row.Value.Created).Select(row => row.Key).ToArray();
        if (created.Length > 0)
        {
            await using var hub = new NpgsqlCommand("INSERT INTO hub_sync (analysis_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", connection, transaction);
            hub.Parameters.Add(new NpgsqlParameter { Value = created });
            await hub.ExecuteNonQueryAsync(cancellationToken);
        }

        return rows;
    }
}
