using Flame.Po.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Flame.Po.ServiceDefaults.Health;

/// <summary>Ready when the schema was migrated and PostgreSQL answers <c>SELECT 1</c> within a few seconds.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource, DatabaseStatus status) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!status.Migrated)
        {
            return HealthCheckResult.Unhealthy($"database migrations not applied yet: {status.LastError ?? "in progress"}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("database did not answer within 3 s");
        }
        catch (NpgsqlException e)
        {
            return HealthCheckResult.Unhealthy($"database unreachable: {DatabaseErrors.Describe(e)}");
        }
    }
}
