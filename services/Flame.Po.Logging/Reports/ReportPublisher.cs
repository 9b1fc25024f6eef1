using System.Threading.Channels;
using Flame.Po.Core;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flame.Po.Logging.Reports;

/// <summary>
/// Publishes <c>analysis-reports</c> for the lifecycle, off the ingestion path. <c>log_stream.report_version</c>
/// is the outbox: ingestion bumps it in the line's transaction, this publisher catches <c>report_published</c>
/// up — at once for changes made in this process, and by a periodic sweep after a crash or a failed publish.
/// Only the latest report of an analysis is sent; older versions are superseded, not queued.
/// </summary>
public sealed class ReportPublisher(
    NpgsqlDataSource dataSource,
    IEventPublisher publisher,
    DatabaseStatus database,
    TimeProvider time,
    ILogger<ReportPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);
    private readonly Channel<string> _changed = Channel.CreateBounded<string>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The analysis has a report to publish. If the queue is full the sweep publishes it later.</summary>
    public void Notify(string analysisId) => _changed.Writer.TryWrite(analysisId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(SweepInterval);
                try
                {
                    var analysisId = await _changed.Reader.ReadAsync(wait.Token);
                    await PublishPendingAsync(analysisId, stoppingToken);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }

                if (time.GetUtcNow() >= nextSweep && database.Migrated)
                {
                    nextSweep = time.GetUtcNow() + SweepInterval;
                    await PublishPendingAsync(null, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or EventPublishException or TimeoutException)
            {
                logger.LogWarning("Publishing analysis reports failed; retrying with the next sweep: {Error}", error.Message);
            }
        }
    }

    /// <summary>Publishes the pending reports of one analysis, or of all when <paramref name="analysisId"/> is null.</summary>
    public async Task PublishPendingAsync(string? analysisId, CancellationToken cancellationToken)
    {
        var pending = new List<AnalysisReport>();
        await using (var select = dataSource.CreateCommand(
            """
            SELECT analysis_id, deployment_name, reported_status, progress, report_version FROM log_stream
            WHERE report_published < report_version AND ($1::text IS NULL OR analysis_id = $1) LIMIT 1000
            """))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = (object?)analysisId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                pending.Add(new AnalysisReport
                {
                    AnalysisId = reader.GetString(0),
                    DeploymentName = reader.IsDBNull(1) ? null : reader.GetString(1),
                    ReportedStatus = reader.IsDBNull(2) ? null : reader.GetString(2),
                    Progress = reader.GetInt32(3),
                    Version = reader.GetInt64(4),
                    Time = time.GetUtcNow(),
                });
            }
        }

        foreach (var report in pending)
        {
            await publisher.PublishAsync(Topics.AnalysisReports, report, cancellationToken);
            await using var done = dataSource.CreateCommand("UPDATE log_stream SET report_published = GREATEST(report_published, $2) WHERE analysis_id = $1");
            done.Parameters.Add(new NpgsqlParameter { Value = report.AnalysisId });
            done.Parameters.Add(new NpgsqlParameter { Value = report.Version });
            await done.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
