using Flame.Po.Core.Analyses;
using Flame.Po.Integrations.Hub;
using Flame.Po.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flame.Po.Logging.Retention;

/// <summary>
/// Removes what the logging service no longer needs (docs/compatibility.md#delete-and-retention): the log lines and
/// Hub rows of a deleted analysis once its last Hub update is delivered (at once without a Hub), and, with
/// LOG_RETENTION_DAYS, lines older than that and old tombstones of deleted analyses. Every delete is a bounded batch
/// in its own short transaction; a line still to be forwarded to the Hub is never removed by age.
/// </summary>
public sealed class LogRetention(
    NpgsqlDataSource dataSource,
    IHubClient hub,
    IOptions<HubSettings> hubSettings,
    IOptions<LoggingSettings> settings,
    LogPurgeSignal signal,
    DatabaseStatus database,
    LoggingTelemetry telemetry,
    TimeProvider time,
    ILogger<LogRetention> logger) : DatabaseLoop(logger)
{
    /// <summary>How often lines older than LOG_RETENTION_DAYS are looked for (the first sweep runs at start-up).</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromHours(1);

    private const int PurgeCandidates = 100;

    private DateTimeOffset _sweptAt = DateTimeOffset.MinValue;

    protected override string Name => "Log retention";

    protected override TimeSpan RetryDelay => settings.Value.HubSyncInterval;

    protected override async Task RunPassAsync(CancellationToken stoppingToken)
    {
        if (database.Migrated)
        {
            await PurgeDeletedAsync(stoppingToken);
            if (settings.Value.LogRetentionDays is not null && time.GetUtcNow() - _sweptAt >= SweepInterval)
            {
                await SweepAsync(stoppingToken);
            }
        }

        await signal.WaitAsync(settings.Value.HubSyncInterval, stoppingToken);
    }

    /// <summary>
    /// Removes the lines and the <c>hub_sync</c> row of every deleted analysis whose Hub updates are all delivered
    /// (or that has nothing for a Hub); returns how many analyses were purged.
    /// </summary>
    public async Task<int> PurgeDeletedAsync(CancellationToken cancellationToken)
    {
        var purged = 0;
        foreach (var analysisId in await PurgeableAsync(cancellationToken))
        {

            if (await PurgeAsync(analysisId, cancellationToken))
            {
                purged++;
            }
        }

        return purged;
    }

    /// <summary>One age sweep with LOG_RETENTION_DAYS (nothing without it); returns the rows deleted.</summary>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        _sweptAt = time.GetUtcNow();
        if (settings.Value.LogRetentionDays is not { } days)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(days);

        // A line not yet forwarded (beyond its analysis's log cursor) stays, whatever its age.
        var lines = await BatchedDelete.RunAsync(
            dataSource,
            """
            DELETE FROM log_line WHERE ctid IN (
                SELECT l.ctid FROM log_line l LEFT JOIN hub_sync h USING (analysis_id)
                WHERE l.logged_at < $2 AND (NOT $3 OR h.analysis_id IS NULL OR l.id <= h.log_cursor)
                LIMIT $1)
            """,
            [cutoff, ForwardsLines],
            cancellationToken);
        telemetry.RetentionDeleted("log_line", lines);

        // Tombstones of analyses deleted and purged long ago: a late line of theirs is then no longer refused.
        var tombstones = await BatchedDelete.RunAsync(
            dataSource,
            """
            DELETE FROM log_stream WHERE ctid IN (
                SELECT s.ctid FROM log_stream s
                WHERE s.deleted AND s.purged_at < $2 AND NOT EXISTS (SELECT 1 FROM hub_sync h WHERE h.analysis_id = s.analysis_id)
                LIMIT $1)
            """,
            [cutoff],
            cancellationToken);
        telemetry.RetentionDeleted("log_stream", tombstones);
        if (lines + tombstones > 0)
        {
            logger.LogInformation("Log retention removed {Lines} log lines and {Tombstones} deleted analyses older than {Days} days", lines, tombstones, days);
        }

        return lines + tombstones;
    }

    private bool ForwardsLines => hub.IsConfigured && hubSettings.Value.ForwardLogs;

    private async Task<List<string>> PurgeableAsync(CancellationToken cancellationToken)
    {
        // Delivered: the Hub has the analysis's final (terminal) status and nothing newer is wanted, every line is
        // forwarded when lines go to the Hub, and no delivery holds the row. A deleted analysis whose terminal status
        // has not reached the Hub keeps its rows until it has (or until LOG_RETENTION_DAYS removes its lines).
        // Without a Hub here the rows go at once — unless another replica (with a Hub) has begun reporting the
        // analysis: a replica never removes what another one still has to deliver.
        await using var command = dataSource.CreateCommand(
            """
            SELECT s.analysis_id FROM log_stream s LEFT JOIN hub_sync h USING (analysis_id)
            WHERE s.deleted AND s.purged_at IS NULL
              AND (h.analysis_id IS NULL
                   OR (NOT $1 AND h.pushed_version = 0 AND h.analysis_node_id IS NULL AND h.attempts = 0 AND h.last_error IS NULL)
                   OR (h.status = ANY($4) AND h.pushed_status = h.status AND h.pushed_version >= h.version
                       AND (NOT $2 OR h.log_cursor >= s.last_line_id)
                       AND (h.lease_until IS NULL OR h.lease_until < now())))
            LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = hub.IsConfigured });
        command.Parameters.Add(new NpgsqlParameter { Value = ForwardsLines });
        command.Parameters.Add(new NpgsqlParameter { Value = PurgeCandidates });
        command.Parameters.Add(new NpgsqlParameter { Value = AnalysisStatus.Terminal.ToArray() });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>
    /// Deletes one analysis's lines batch by batch, each batch under its stream row lock after checking it is still
    /// deleted (a create of the same id in between stops the purge), then its Hub row and marks the stream purged.
    /// </summary>
    private async Task<bool> PurgeAsync(string analysisId, CancellationToken cancellationToken)
    {
        long lines = 0;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var check = new NpgsqlCommand(
                "SELECT 1 FROM log_stream WHERE analysis_id = $1 AND deleted AND purged_at IS NULL FOR UPDATE",
                connection,
                transaction))
            {
                check.Parameters.Add(new NpgsqlParameter { Value = analysisId });
                if (await check.ExecuteScalarAsync(cancellationToken) is null)
                {
                    telemetry.RetentionDeleted("log_line", lines);
                    return false;
                }
            }

            await using var delete = new NpgsqlCommand(
                "DELETE FROM log_line WHERE ctid IN (SELECT ctid FROM log_line WHERE analysis_id = $1 LIMIT $2)", connection, transaction);
            delete.Parameters.Add(new NpgsqlParameter { Value = analysisId });
            delete.Parameters.Add(new NpgsqlParameter { Value = BatchedDelete.BatchSize });
            var deleted = await delete.ExecuteNonQueryAsync(cancellationToken);
            lines += deleted;
            if (deleted < BatchedDelete.BatchSize)
            {
                await using var finish = new NpgsqlCommand(
                    """
                    WITH hub AS (DELETE FROM hub_sync WHERE analysis_id = $1 RETURNING 1)
                    UPDATE log_stream SET purged_at = now() WHERE analysis_id = $1 RETURNING (SELECT count(*) FROM hub)
                    """,
                    connection,
                    transaction);
                finish.Parameters.Add(new NpgsqlParameter { Value = analysisId });
                var hubRows = (long)(await finish.ExecuteScalarAsync(cancellationToken) ?? 0L);
                await transaction.CommitAsync(cancellationToken);
                telemetry.RetentionDeleted("log_line", lines);
                telemetry.RetentionDeleted("hub_sync", hubRows);
                logger.LogDebug("Removed {Lines} log lines of deleted analysis {AnalysisId}", lines, analysisId);
                return true;
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }
}
