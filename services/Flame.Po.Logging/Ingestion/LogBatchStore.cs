using Npgsql;
using NpgsqlTypes;

namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// The statements of one ingestion batch: the lock of every stream row involved (<see cref="LogStreamRow.LockAllAsync"/>),
/// the stored Idempotency-Keys among the batch's keys, and one statement that inserts every line and moves the
/// stream rows and the Hub's progress on. Three round trips and one commit for the whole batch, so the cost per
/// line falls as load rises, and it never depends on how many lines an analysis sent before. The last statement alone,
/// in a transaction of its own, is the whole write of a batch decided from rows this process already knows
/// (<see cref="KnownStreams"/>): it checks each row's version itself.
/// </summary>
public static class LogBatchStore
{
    public static async Task<IReadOnlySet<(string AnalysisId, string Key)>> StoredKeysAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PendingLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var keyed = lines.Where(p => p.Line.IdempotencyKey is not null).ToList();
        var stored = new HashSet<(string, string)>();
        if (keyed.Count == 0)
        {
            return stored;
        }

        // Exact, not racy: every insert of these analyses' lines happens under the stream row locks held now.
        await using var command = new NpgsqlCommand(
            """
            SELECT l.analysis_id, l.idempotency_key FROM log_line l
            JOIN unnest($1::text[], $2::text[]) AS k(analysis_id, idempotency_key)
              ON l.analysis_id = k.analysis_id AND l.idempotency_key = k.idempotency_key
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = keyed.Select(p => p.Line.AnalysisId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keyed.Select(p => p.Line.IdempotencyKey!).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored.Add((reader.GetString(0), reader.GetString(1)));
        }

        return stored;
    }

    /// <summary>
    /// Writes the plan's lines and stream rows, but only for the analyses whose row still has the version in
    /// <paramref name="rows"/>: their rows are locked first, in id order like <see cref="LogStreamRow.LockAllAsync"/>
    /// (two writers never wait for each other in a circle), and a row changed since (a new version, or gone) gets
    /// nothing written. Returns the analyses written, each with its row's new version.
    /// </summary>
    public static async Task<Dictionary<string, string>> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, LogBatchPlan plan, IReadOnlyDictionary<string, LogStreamRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(rows);
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        if (plan.Inserts.Count == 0)
        {
            return written;
        }

        var risen = plan.Streams.Where(s => s.ProgressRose).ToList();
        await using var command = new NpgsqlCommand(
            """
            WITH locked AS (
                SELECT s.analysis_id FROM log_stream s
                JOIN unnest($17::text[], $18::text[]) AS k(analysis_id, version) ON s.analysis_id = k.analysis_id AND s.xmin::text = k.version
                ORDER BY s.analysis_id
                FOR UPDATE OF s),
            line AS (
                INSERT INTO log_line (analysis_id, deployment_name, logged_at, level, status, progress, message, source, idempotency_key)
                SELECT analysis_id, deployment_name, logged_at, level, status, progress, message, 'analysis', idempotency_key
                FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[])
                    WITH ORDINALITY AS input(analysis_id, deployment_name, logged_at, level, status, progress, message, idempotency_key, position)
                WHERE input.analysis_id IN (SELECT analysis_id FROM locked)
                ORDER BY position
                RETURNING id, analysis_id),
            last AS (SELECT analysis_id, max(id) AS id FROM line GROUP BY analysis_id),
            hub AS (
                INSERT INTO hub_sync (analysis_id, progress, version)
                SELECT analysis_id, progress, 1 FROM unnest($15::text[], $16::integer[]) AS risen(analysis_id, progress)
                WHERE risen.analysis_id IN (SELECT analysis_id FROM locked)
                ON CONFLICT (analysis_id) DO UPDATE SET progress = EXCLUDED.progress, version = hub_sync.version + 1, updated_at = now()
                WHERE hub_sync.progress < EXCLUDED.progress)
            UPDATE log_stream s SET last_line_id = last.id, last_fingerprint = u.fingerprint, last_received_at = u.received_at,
                reported_status = u.reported_status, progress = u.progress, report_version = s.report_version + u.report_changes,
                updated_at = u.received_at
            FROM unnest($9::text[], $10::bytea[], $11::timestamptz[], $12::text[], $13::integer[], $14::integer[])
                    AS u(analysis_id, fingerprint, received_at, reported_status, progress, report_changes)
                JOIN last USING (analysis_id)
            WHERE s.analysis_id = u.analysis_id
            RETURNING s.analysis_id, s.xmin::text
            """,
            connection,
            transaction);
        var inserts = plan.Inserts;
        Add(command, inserts.Select(p => p.Pending.Line.AnalysisId).ToArray(), NpgsqlDbType.Text);
        Add(command, inserts.Select(p => p.DeploymentName).ToArray(), NpgsqlDbType.Text);
        Add(command, inserts.Select(p => p.Pending.ReceivedAt).ToArray(), NpgsqlDbType.TimestampTz);
        Add(command, inserts.Select(p => p.Pending.Line.LogType).ToArray(), NpgsqlDbType.Text);
        Add(command, inserts.Select(p => p.Pending.Line.Status).ToArray(), NpgsqlDbType.Text);
        Add(command, inserts.Select(p => p.Pending.Line.Progress).ToArray(), NpgsqlDbType.Integer);
        Add(command, inserts.Select(p => p.Pending.Message).ToArray(), NpgsqlDbType.Text);
        Add(command, inserts.Select(p => p.Pending.Line.IdempotencyKey).ToArray(), NpgsqlDbType.Text);
        Add(command, plan.Streams.Select(s => s.AnalysisId).ToArray(), NpgsqlDbType.Text);
        Add(command, plan.Streams.Select(s => s.LastFingerprint).ToArray(), NpgsqlDbType.Bytea);
        Add(command, plan.Streams.Select(s => s.LastReceivedAt).ToArray(), NpgsqlDbType.TimestampTz);
        Add(command, plan.Streams.Select(s => s.ReportedStatus).ToArray(), NpgsqlDbType.Text);
        Add(command, plan.Streams.Select(s => s.Progress).ToArray(), NpgsqlDbType.Integer);
        Add(command, plan.Streams.Select(s => s.ReportChanges).ToArray(), NpgsqlDbType.Integer);
        Add(command, risen.Select(s => s.AnalysisId).ToArray(), NpgsqlDbType.Text);
        Add(command, risen.Select(s => s.Progress).ToArray(), NpgsqlDbType.Integer);
        Add(command, plan.Streams.Select(s => s.AnalysisId).ToArray(), NpgsqlDbType.Text);
        Add(command, plan.Streams.Select(s => rows[s.AnalysisId].Version).ToArray(), NpgsqlDbType.Text);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            written[reader.GetString(0)] = reader.GetString(1);
        }

        return written;
    }

    private static void Add<T>(NpgsqlCommand command, T[] values, NpgsqlDbType elementType) =>
        command.Parameters.Add(new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | elementType });
}
