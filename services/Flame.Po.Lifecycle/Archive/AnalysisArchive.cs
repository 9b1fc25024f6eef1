using System.Text.Json;

using Flame.Po.Dapr.State;
using Flame.Po.Lifecycle.Analyses;
using Npgsql;
using NpgsqlTypes;

namespace Flame.Po.Lifecycle.Archive;

/// <summary>
/// The archive table (direct Npgsql, docs/architecture.md#the-archive): one row per finished or restarted deployment
/// with the record and the log snapshot. Executed runs are archived too (docs/compatibility.md#b7). Writing is
/// idempotent per deployment.
/// </summary>
public sealed class AnalysisArchive(NpgsqlDataSource dataSource)
{
    /// <summary>Stores the deployment's snapshot once; a repeated call keeps the first snapshot.</summary>
    public async Task StoreAsync(AnalysisRecord record, LogSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO archive (analysis_id, deployment_name, status, record, log_snapshot)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (analysis_id, deployment_name) DO NOTHING
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = record.AnalysisId });
        command.Parameters.Add(new NpgsqlParameter { Value = record.DeploymentName });
        command.Parameters.Add(new NpgsqlParameter { Value = record.Status });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(record with { PendingEvents = [] }, StateJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(snapshot, StateJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Archived deployments, oldest first, of one analysis or of all.</summary>
    public async Task<IReadOnlyList<ArchivedDeployment>> ListAsync(string? analysisId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT analysis_id, deployment_name, status, log_snapshot::text, archived_at
            FROM archive WHERE ($1::text IS NULL OR analysis_id = $1) ORDER BY archived_at, id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)analysisId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var result = new List<ArchivedDeployment>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new ArchivedDeployment(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                JsonSerializer.Deserialize<LogSnapshot>(reader.GetString(3), StateJson.Options) ?? new LogSnapshot(),
                reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return result;
    }
}

public sealed record ArchivedDeployment(string AnalysisId, string DeploymentName, string Status, LogSnapshot Logs, DateTimeOffset ArchivedAt);
