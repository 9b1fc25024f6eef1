using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flame.Po.Persistence;

/// <summary>
/// Applies migrations in the background and retries until PostgreSQL is reachable, so the host starts (and
/// answers liveness) even while the database is still coming up; readiness stays 503 until this succeeds.
/// </summary>
public sealed class DatabaseMigrationService(
    MigrationRunner runner, DatabaseStatus status, TimeProvider time, ILogger<DatabaseMigrationService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var applied = await runner.ApplyAsync(stoppingToken);
                status.MarkMigrated();
                logger.LogInformation("Database schema is current ({applied} migrations applied now)", applied);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                status.MarkFailed(DatabaseErrors.Describe(e));
                logger.LogWarning("Database not ready, retrying in {delay_seconds} s: {reason}", delay.TotalSeconds, DatabaseErrors.Describe(e));
            }

            await Task.Delay(delay, time, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }
}
