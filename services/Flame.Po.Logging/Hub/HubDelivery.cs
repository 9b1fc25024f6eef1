using System.Collections.Concurrent;
using Flame.Po.Core.Analyses;
using Flame.Po.Integrations;
using Flame.Po.Integrations.Hub;
using Flame.Po.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flame.Po.Logging.Hub;

/// <summary>
/// Delivers <c>hub_sync</c> to the Hub: for each analysis with something pending, its log lines in order (when
/// HUB_LOGGING is on), then its latest wanted status and progress. Analyses are claimed with a lease so replicas
/// share the work; a Hub outage backs off one analysis at a time (keeping its order) and never touches ingestion
/// or the status loop. A log line the Hub rejects (4xx) is skipped with a warning: retrying cannot fix it.
/// </summary>
public sealed class HubDelivery(
    NpgsqlDataSource dataSource,
    IHubClient hub,
    IOptions<HubSettings> hubSettings,
    IOptions<LoggingSettings> settings,
    HubDeliverySignal signal,
    DatabaseStatus database,
    LoggingTelemetry telemetry,
    TimeProvider time,
    ILogger<HubDelivery> logger) : DatabaseLoop(logger)
{
    /// <summary>How often the backlog gauge is recounted (one small query), at most.</summary>
    public static readonly TimeSpan BacklogInterval = TimeSpan.FromSeconds(10);

    private DateTimeOffset _backlogCountedAt = DateTimeOffset.MinValue;

    private const int ClaimBatch = 16;
    private const int LinesPerRead = 200;

    // Lines forwarded per claim; the rest follows in the next pass.
    private const int LinesPerClaim = 1000;

    /// <summary>
    /// How long a claim holds without renewal: short, so the work of a process that died is taken over within
    /// seconds. A running delivery renews its lease every <see cref="LeaseRenewal"/> (a slow Hub never lets it lapse).
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);

    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!hub.IsConfigured)
        {
            // Nothing is waiting for a Hub that is not there.
            telemetry.Backlog(0);
            logger.LogInformation("The Hub is not configured (HUB_URL_CORE): statuses, progress and logs stay local");
            return;
        }

        await base.ExecuteAsync(stoppingToken);
    }

    protected override string Name => "Hub delivery";

    protected override TimeSpan RetryDelay => settings.Value.HubSyncInterval;

    protected override async Task RunPassAsync(CancellationToken stoppingToken)
    {
        var delivered = database.Migrated ? await DeliverDueAsync(stoppingToken) : 0;
        if (database.Migrated && time.GetUtcNow() - _backlogCountedAt >= BacklogInterval)
        {
            await CountBacklogAsync(stoppingToken);
        }

        if (delivered < ClaimBatch)
        {
            await signal.WaitAsync(settings.Value.HubSyncInterval, stoppingToken);
        }
    }

    /// <summary>One pass: claims up to <see cref="ClaimBatch"/> due analyses and delivers them; returns how many were claimed.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        // Every claim is renewed until its delivery ends, also while it waits for one of the parallel slots.
        var running = new ConcurrentDictionary<string, bool>(claimed.Select(item => KeyValuePair.Create(item.AnalysisId, true)), StringComparer.Ordinal);
        using var passEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = RenewLeasesAsync(running, passEnded.Token);
        try
        {
            await Parallel.ForEachAsync(
                claimed,
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (item, token) =>
                {
                    try
                    {
                        await DeliverAsync(item, token);
                    }
                    finally
                    {
                        running.TryRemove(item.AnalysisId, out _);
                    }
                });
        }
        finally
        {
            await passEnded.CancelAsync();
            await heartbeat;
        }

        return claimed.Count;
    }

    /// <summary>
    /// Counts the analyses with something to deliver (the same condition as a claim, leases and back-off ignored) for
    /// <c>flame_po_hub_backlog</c>: one query per <see cref="BacklogInterval"/>, never one per scrape.
    /// </summary>
    public async Task<long> CountBacklogAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(*) FROM hub_sync h JOIN log_stream s USING (analysis_id)
            WHERE h.pushed_version < h.version OR ($1 AND h.log_cursor < s.last_line_id)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = hubSettings.Value.ForwardLogs });
        var backlog = (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
        _backlogCountedAt = time.GetUtcNow();
        telemetry.Backlog(backlog);
        return backlog;
    }

    private async Task<List<HubSyncItem>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE hub_sync h SET lease_until = now() + $3
            FROM (
                SELECT h2.analysis_id, s.last_line_id, s.lifecycle_status FROM hub_sync h2 JOIN log_stream s USING (analysis_id)
                WHERE h2.next_attempt_at <= now() AND (h2.lease_until IS NULL OR h2.lease_until < now())
                  AND (h2.pushed_version < h2.version OR ($1 AND h2.log_cursor < s.last_line_id))
                ORDER BY h2.next_attempt_at LIMIT $2
                FOR UPDATE OF h2 SKIP LOCKED
            ) due
            WHERE h.analysis_id = due.analysis_id
            RETURNING h.analysis_id, h.status, h.progress, h.version, h.pushed_version, h.analysis_node_id, h.log_cursor, h.attempts, due.last_line_id,
                h.pushed_status, h.pushed_progress
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = hubSettings.Value.ForwardLogs });
        command.Parameters.Add(new NpgsqlParameter { Value = ClaimBatch });
        command.Parameters.Add(new NpgsqlParameter { Value = Lease });
        var items = new List<HubSyncItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new HubSyncItem(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetInt32(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetInt64(6),
                reader.GetInt32(7),
                reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetInt32(10)));
        }

        return items;
    }

    /// <summary>Keeps the claims of a pass while their deliveries run; a released claim (lease cleared) is left alone.</summary>
    private async Task RenewLeasesAsync(ConcurrentDictionary<string, bool> running, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(LeaseRenewal, time, cancellationToken);
                var analysisIds = running.Keys.ToArray();
                if (analysisIds.Length > 0)
                {
                    await ExecuteAsync(
                        "UPDATE hub_sync SET lease_until = now() + $2 WHERE analysis_id = ANY($1) AND lease_until IS NOT NULL",
                        cancellationToken,
                        analysisIds,
                        Lease);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Hub delivery could not renew its claims; retrying: {Error}", error.Message);
            }
        }
    }

    private async ValueTask DeliverAsync(HubSyncItem item, CancellationToken cancellationToken)
    {
        try
        {
            if (hubSettings.Value.ForwardLogs && item.LogCursor < item.LastLineId)
            {
                await ForwardLinesAsync(item, cancellationToken);
            }

            if (item.PushedVersion < item.Version && item.Status is not null
                && item.Status == item.PushedStatus && item.Progress == item.PushedProgress)
            {
                // Changed and changed back between two passes: the Hub already shows this.
                await ExecuteAsync("UPDATE hub_sync SET pushed_version = GREATEST(pushed_version, $2) WHERE analysis_id = $1", cancellationToken, item.AnalysisId, item.Version);
            }
            else if (item.PushedVersion < item.Version && item.Status is not null)
            {
                var analysisNodeId = item.AnalysisNodeId ?? await hub.FindAnalysisNodeIdAsync(item.AnalysisId, cancellationToken);
                if (analysisNodeId is null)
                {
                    telemetry.DeliveryFailed("no_analysis_node");
                    await BackOffAsync(item, "The Hub has no analysis-node of this node for the analysis yet.", cancellationToken);
                    return;
                }

                await hub.UpdateAnalysisNodeAsync(analysisNodeId, item.Status, item.Progress, cancellationToken);
                await ExecuteAsync(
                    """
                    UPDATE hub_sync SET pushed_version = GREATEST(pushed_version, $2), pushed_status = $3, pushed_progress = $5, analysis_node_id = $4 WHERE analysis_id = $1
                    """,
                    cancellationToken,
                    item.AnalysisId,
                    item.Version,
                    item.Status,
                    analysisNodeId,
                    item.Progress);
            }

            await ExecuteAsync(
                "UPDATE hub_sync SET attempts = 0, next_attempt_at = now(), lease_until = NULL, last_error = NULL, updated_at = now() WHERE analysis_id = $1",
                cancellationToken,
                item.AnalysisId);
        }
        catch (IntegrationUnavailableException error)
        {
            telemetry.DeliveryFailed("unavailable");
            await BackOffAsync(item, error.Message, cancellationToken);
        }
        catch (IntegrationRejectedException error)
        {
            telemetry.DeliveryFailed("rejected");
            // The analysis-node id may be stale (the Hub re-created it): look it up again next time.
            await ExecuteAsync("UPDATE hub_sync SET analysis_node_id = NULL WHERE analysis_id = $1", cancellationToken, item.AnalysisId);
            await BackOffAsync(item, error.Message, cancellationToken);
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException)
        {
            logger.LogWarning("Hub delivery for analysis {AnalysisId} could not record its progress; the lease expires and it is retried: {Error}", item.AnalysisId, error.Message);
        }
    }

    private async Task ForwardLinesAsync(HubSyncItem item, CancellationToken cancellationToken)
    {
        var cursor = item.LogCursor;
        var budget = LinesPerClaim;
        while (cursor < item.LastLineId && budget > 0)
        {
            var lines = await ReadLinesAsync(item.AnalysisId, cursor, cancellationToken);
            if (lines.Count == 0)
            {
                return;
            }

            budget -= lines.Count;
            foreach (var line in lines)
            {
                try
                {
                    await hub.CreateLogAsync(item.AnalysisId, line.Level, line.Message, line.Status ?? item.Status ?? AnalysisStatus.Started, cancellationToken);
                }
                catch (IntegrationRejectedException error)
                {
                    telemetry.DeliveryFailed("line_rejected");
                    logger.LogWarning("The Hub refused log line {LineId} of analysis {AnalysisId}; it is skipped: {Error}", line.Id, item.AnalysisId, error.Message);
                }

                // One cursor update per line: a crash can repeat at most the line in flight (at-least-once, see README).
                cursor = line.Id;
                await ExecuteAsync("UPDATE hub_sync SET log_cursor = GREATEST(log_cursor, $2) WHERE analysis_id = $1", cancellationToken, item.AnalysisId, cursor);
            }
        }
    }

    private async Task<List<ForwardedLine>> ReadLinesAsync(string analysisId, long after, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, level, status, message FROM log_line WHERE analysis_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        command.Parameters.Add(new NpgsqlParameter { Value = analysisId });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = LinesPerRead });
        var lines = new List<ForwardedLine>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(new ForwardedLine(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3)));
        }

        return lines;
    }

    private async Task BackOffAsync(HubSyncItem item, string error, CancellationToken cancellationToken)
    {
        var attempts = item.Attempts + 1;
        var seconds = Math.Min(settings.Value.HubRetryMax.TotalSeconds, Math.Pow(2, Math.Min(attempts, 16)));
        var delay = TimeSpan.FromSeconds(seconds * (0.5 + (Random.Shared.NextDouble() / 2)));
        if (attempts == 1)
        {
            logger.LogWarning("Hub update for analysis {AnalysisId} postponed (kept, retried with back-off): {Error}", item.AnalysisId, error);
        }

        await ExecuteAsync(
            "UPDATE hub_sync SET attempts = $2, next_attempt_at = now() + $3, lease_until = NULL, last_error = $4, updated_at = now() WHERE analysis_id = $1",
            cancellationToken,
            item.AnalysisId,
            attempts,
            delay,
            error);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record HubSyncItem(
        string AnalysisId, string? Status, int Progress, long Version, long PushedVersion, string? AnalysisNodeId, long LogCursor, int Attempts, long LastLineId,
        string? PushedStatus, int? PushedProgress);

    private sealed record ForwardedLine(long Id, string Level, string? Status, string Message);
}
