using Flame.Po.Logging.Hub;
using Flame.Po.Logging.Reports;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// Stores one streamed line in constant time, whatever the number of lines before it: one row lock on the
/// analysis's <c>log_stream</c> row, one insert into <c>log_line</c>, one update. Retries are recognised by the
/// client's Idempotency-Key, else by being identical to the previous line within <see cref="LoggingSettings.RetryWindow"/>.
/// Progress only rises; a rise or a new reported status is queued for the lifecycle. The Hub is never called
/// here: its delivery is durable and asynchronous (<see cref="HubDelivery"/>), so a Hub outage never fails ingestion.
/// </summary>
public sealed class LogIngestor(
    NpgsqlDataSource dataSource,
    IOptions<LoggingSettings> settings,
    ReportPublisher reports,
    HubDeliverySignal hubSignal,
    TimeProvider time)
{
    public const string SourceAnalysis = "analysis";

    public async Task<IngestResult> IngestAsync(StreamLogCommand line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        var now = time.GetUtcNow();
        var fingerprint = LineFingerprint.Of(line);
        var message = StoredText.Of(line.Log, settings.Value.MessageMaxChars);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stream = await LogStreamRow.LockAsync(connection, transaction, line.AnalysisId, cancellationToken);
        if (stream.Deleted)
        {
            return IngestResult.AnalysisDeleted;
        }

        if (line.IdempotencyKey is null && IsRetryOfLastLine(stream, fingerprint, now))
        {
            return IngestResult.Duplicate;
        }

        var lineId = await InsertLineAsync(connection, transaction, line, message, stream.DeploymentName, now, cancellationToken);
        if (lineId is null)
        {
            return IngestResult.Duplicate;
        }

        var progress = line.Progress is { } reported && reported > stream.Progress ? reported : stream.Progress;
        var reportChanged = progress != stream.Progress || !string.Equals(line.Status, stream.ReportedStatus, StringComparison.Ordinal);
        await using (var update = new NpgsqlCommand(
            """
            UPDATE log_stream SET last_line_id = $2, last_fingerprint = $3, last_received_at = $4, reported_status = $5,
                progress = $6, report_version = report_version + $7, updated_at = $4
            WHERE analysis_id = $1
            """,
            connection,
            transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = line.AnalysisId });
            update.Parameters.Add(new NpgsqlParameter { Value = lineId.Value });
            update.Parameters.Add(new NpgsqlParameter { Value = fingerprint });
            update.Parameters.Add(new NpgsqlParameter { Value = now });
            update.Parameters.Add(new NpgsqlParameter { Value = line.Status });
            update.Parameters.Add(new NpgsqlParameter { Value = progress });
            update.Parameters.Add(new NpgsqlParameter { Value = reportChanged ? 1L : 0L });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (progress > stream.Progress)
        {
            await HubSyncRows.RaiseProgressAsync(connection, transaction, line.AnalysisId, progress, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (reportChanged)
        {
            reports.Notify(line.AnalysisId);
        }

        hubSignal.Notify();
        return IngestResult.Stored;
    }

    private bool IsRetryOfLastLine(LogStreamRow stream, byte[] fingerprint, DateTimeOffset now) =>
        stream.LastFingerprint is { } last
        && last.AsSpan().SequenceEqual(fingerprint)
        && stream.LastReceivedAt is { } at
        && now - at <= settings.Value.RetryWindow;

    /// <returns>The new line's id, or null when a line with the same Idempotency-Key is already stored.</returns>
    private static async Task<long?> InsertLineAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, StreamLogCommand line, string message, string? deploymentName,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO log_line (analysis_id, deployment_name, logged_at, level, status, progress, message, source, idempotency_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (analysis_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """,
            connection,
            transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = line.AnalysisId });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)deploymentName ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = now });
        insert.Parameters.Add(new NpgsqlParameter { Value = line.LogType });
        insert.Parameters.Add(new NpgsqlParameter { Value = line.Status });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)line.Progress ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter { Value = message });
        insert.Parameters.Add(new NpgsqlParameter { Value = SourceAnalysis });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)line.IdempotencyKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await insert.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }
}
