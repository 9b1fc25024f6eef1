using Flame.Po.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flame.Po.Lifecycle.Archive;

/// <summary>
/// With ARCHIVE_RETENTION_DAYS, removes archive rows older than that, in bounded batches of short transactions, at
/// start-up and then every <see cref="SweepInterval"/>.
/// </summary>
public sealed class ArchiveRetention(
    NpgsqlDataSource dataSource,
    IOptions<ArchiveRetentionSettings> settings,
    DatabaseStatus database,
    TimeProvider time,
    ILogger<ArchiveRetention> logger) : DatabaseLoop(logger)
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromHours(1);

    private static readonly TimeSpan MigrationWait = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Value.ArchiveRetentionDays is null)
        {
            return;
        }

        await base.ExecuteAsync(stoppingToken);
    }

    protected override string Name => "Archive retention";

    protected override TimeSpan RetryDelay => MigrationWait;

    protected override async Task RunPassAsync(CancellationToken stoppingToken)
    {
        if (await database.WaitForMigrationAsync(MigrationWait, stoppingToken))
        {
            await SweepAsync(stoppingToken);
            await Task.Delay(SweepInterval, time, stoppingToken);
        }
    }

    /// <summary>One sweep; returns the archive rows deleted (none without ARCHIVE_RETENTION_DAYS).</summary>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        if (settings.Value.ArchiveRetentionDays is not { } days)
        {
            return 0;
        }

        var deleted = await BatchedDelete.RunAsync(
            dataSource,
            "DELETE FROM archive WHERE ctid IN (SELECT ctid FROM archive WHERE archived_at < $2 LIMIT $1)",
            [time.GetUtcNow() - TimeSpan.FromDays(days)],
            cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Archive retention removed {Rows} archived deployments older than {Days} days", deleted, days);
        }

        return deleted;
    }
}
