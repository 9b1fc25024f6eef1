using System.Globalization;
using System.Text.Json;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.State;
using Flame.Po.Logging.Hub;
using Flame.Po.Logging.Ingestion;
using Flame.Po.Logging.Retention;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Flame.Po.Logging.Events;

/// <summary>
/// Applies the lifecycle's <c>analysis-events</c>: the PO's generated log lines
/// (docs/compatibility.md#generated-log-lines), the deployment new lines belong to, progress resets on a new
/// deployment, and the status the Hub should show. Delivery is at-least-once: an event whose sequence was applied
/// already changes nothing. All of it is one transaction.
/// </summary>
public sealed class AnalysisEventsSubscriber(
    NpgsqlDataSource dataSource, HubDeliverySignal hubSignal, LogPurgeSignal purgeSignal, ILogger<AnalysisEventsSubscriber> logger) : ISubscriber
{
    public const string Route = "/events/logging/analysis-events";
    public const string SourcePo = "po";

    public async Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken)
    {
        AnalysisEvent? analysisEvent;
        try
        {
            analysisEvent = data.Deserialize<AnalysisEvent>(StateJson.Options);
        }
        catch (JsonException error)
        {
            logger.LogWarning("Dropping an unreadable analysis event: {Error}", error.Message);
            return EventOutcome.Drop;
        }

        if (analysisEvent is null || !AnalysisIds.TryNormalize(analysisEvent.AnalysisId, out _))
        {
            logger.LogWarning("Dropping analysis event {event_id} without a valid analysis id", analysisEvent?.EventId);
            return EventOutcome.Drop;
        }

        await ApplyAsync(analysisEvent, cancellationToken);
        return EventOutcome.Success;
    }

    public async Task ApplyAsync(AnalysisEvent analysisEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(analysisEvent);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stream = await LogStreamRow.LockAsync(connection, transaction, analysisEvent.AnalysisId, cancellationToken);

        // Sequence 1 is a create. After a delete the same id may be created again: a new run, with fresh
        // sequence numbers; a redelivered create of the old run is older than the last event seen.
        var newRun = analysisEvent.Sequence == 1 && (stream.EventSequence == 0 || (stream.Deleted && analysisEvent.Time > stream.EventAt));
        if (!newRun && analysisEvent.Sequence <= stream.EventSequence)
        {
            return;
        }

        var lastLineId = 0L;
        foreach (var line in GeneratedLogLines.For(analysisEvent))
        {
            lastLineId = await InsertLineAsync(connection, transaction, analysisEvent, line, cancellationToken);
        }

        var newDeployment = newRun || !string.Equals(stream.DeploymentName, analysisEvent.DeploymentName, StringComparison.Ordinal);
        var progress = analysisEvent.To == AnalysisStatus.Executed ? 100
            : newDeployment ? analysisEvent.Progress
            : Math.Max(stream.Progress, analysisEvent.Progress);
        await using (var update = new NpgsqlCommand(
            """
            UPDATE log_stream SET event_sequence = $2, event_at = $3, deployment_name = $4, lifecycle_status = $5, deleted = $6,
                progress = $7, last_line_id = GREATEST(last_line_id, $8), updated_at = now(),
                last_fingerprint = CASE WHEN $9 THEN NULL ELSE last_fingerprint END, purged_at = NULL
            WHERE analysis_id = $1
            """,
            connection,
            transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.AnalysisId });
            update.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.Sequence });
            update.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.Time });
            update.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.DeploymentName });
            update.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.To });
            update.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.Deleted });
            update.Parameters.Add(new NpgsqlParameter { Value = progress });
            update.Parameters.Add(new NpgsqlParameter { Value = lastLineId });
            update.Parameters.Add(new NpgsqlParameter { Value = newDeployment });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        var (hubStatus, hubProgress) = await HubSyncRows.LockAsync(connection, transaction, analysisEvent.AnalysisId, cancellationToken);
        var wantedStatus = HubSyncRows.NextStatus(hubStatus, analysisEvent.To, newRun);
        var wantedProgress = wantedStatus == AnalysisStatus.Executed ? 100 : newDeployment ? progress : Math.Max(hubProgress, progress);
        if (wantedStatus != hubStatus || wantedProgress != hubProgress)
        {
            await HubSyncRows.SetAsync(connection, transaction, analysisEvent.AnalysisId, wantedStatus, wantedProgress, resetDelivery: newRun, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        hubSignal.Notify();
        if (analysisEvent.Deleted)
        {
            // Its lines and Hub rows go once the Hub has its last update (docs/compatibility.md#delete-and-retention).
            purgeSignal.Notify();
        }
    }

    private static async Task<long> InsertLineAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AnalysisEvent analysisEvent, GeneratedLogLine line, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO log_line (analysis_id, deployment_name, logged_at, level, status, message, source, idempotency_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (analysis_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """,
            connection,
            transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.AnalysisId });
        insert.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.DeploymentName });
        insert.Parameters.Add(new NpgsqlParameter { Value = analysisEvent.Time });
        insert.Parameters.Add(new NpgsqlParameter { Value = line.Level });
        insert.Parameters.Add(new NpgsqlParameter { Value = line.Status });
        insert.Parameters.Add(new NpgsqlParameter { Value = line.Message });
        insert.Parameters.Add(new NpgsqlParameter { Value = SourcePo });

        // Keyed by the event (and its time: a re-created analysis numbers its events from 1 again), so a
        // redelivered event cannot add its line twice.
        var key = string.Create(CultureInfo.InvariantCulture, $"event:{analysisEvent.EventId}:{analysisEvent.Time.ToUnixTimeMilliseconds()}");
        insert.Parameters.Add(new NpgsqlParameter { Value = key, NpgsqlDbType = NpgsqlDbType.Text });
        return await insert.ExecuteScalarAsync(cancellationToken) is long id ? id : 0;
    }
}
