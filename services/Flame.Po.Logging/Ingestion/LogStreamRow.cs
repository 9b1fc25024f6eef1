using Npgsql;

namespace Flame.Po.Logging.Ingestion;

/// <summary>An analysis's <c>log_stream</c> row, read under its row lock (created on first use).</summary>
public sealed record LogStreamRow(
    string? DeploymentName,
    byte[]? LastFingerprint,
    DateTimeOffset? LastReceivedAt,
    string? ReportedStatus,
    int Progress,
    bool Deleted,
    long EventSequence,
    DateTimeOffset? EventAt,
    bool Created)
{
    /// <summary>
    /// Inserts the row if missing and locks it until the transaction ends (the no-op update takes the lock in the
    /// same statement). A new row also gets its <c>hub_sync</c> row, so its lines become deliverable.
    /// </summary>
    public static async Task<LogStreamRow> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string analysisId, CancellationToken cancellationToken)
    {
        LogStreamRow row;
        await using (var command = new NpgsqlCommand(
            """
            INSERT INTO log_stream (analysis_id) VALUES ($1)
            ON CONFLICT (analysis_id) DO UPDATE SET analysis_id = EXCLUDED.analysis_id
            RETURNING deployment_name, last_fingerprint, last_received_at, reported_status, progress, deleted, event_sequence, event_at, (xmax = 0)
            """,
            connection,
            transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = analysisId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            row = new LogStreamRow(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt32(4),
                reader.GetBoolean(5),
                reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.GetBoolean(8));
        }

        if (row.Created)
        {
            await using var hub = new NpgsqlCommand("INSERT INTO hub_sync (analysis_id) VALUES ($1) ON CONFLICT DO NOTHING", connection, transaction);
            hub.Parameters.Add(new NpgsqlParameter { Value = analysisId });
            await hub.ExecuteNonQueryAsync(cancellationToken);
        }

        return row;
    }
}
