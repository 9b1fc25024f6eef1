using Flame.Po.Core.Analyses;
using Npgsql;
using NpgsqlTypes;

namespace Flame.Po.Logging.Hub;

/// <summary>
/// Writes to <c>hub_sync</c>, the durable record of what the Hub should show for each analysis. Each change of
/// the wanted status or progress bumps <c>version</c>; delivery pushes the latest wanted state and records the
/// version it pushed, so updates are sent on change only and a later one supersedes an earlier one.
/// </summary>
public static class HubSyncRows
{
    /// <summary>The wanted status and progress, locked for an update in the caller's transaction.</summary>
    public static async Task<(string? Status, int Progress)> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string analysisId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO hub_sync (analysis_id) VALUES ($1)
            ON CONFLICT (analysis_id) DO UPDATE SET analysis_id = EXCLUDED.analysis_id
            RETURNING status, progress
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = analysisId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1));
    }

    public static async Task SetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string analysisId, string? status, int progress, bool resetDelivery, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE hub_sync SET status = $2, progress = $3, version = version + 1, updated_at = now(),
                next_attempt_at = CASE WHEN $4 THEN now() ELSE next_attempt_at END,
                attempts = CASE WHEN $4 THEN 0 ELSE attempts END
            WHERE analysis_id = $1
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = analysisId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = progress });
        command.Parameters.Add(new NpgsqlParameter { Value = resetDelivery });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A higher progress reported by the analysis; a lower one never replaces it.</summary>
    public static async Task RaiseProgressAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string analysisId, int progress, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO hub_sync (analysis_id, progress, version) VALUES ($1, $2, 1)
            ON CONFLICT (analysis_id) DO UPDATE SET progress = EXCLUDED.progress, version = hub_sync.version + 1, updated_at = now()
            WHERE hub_sync.progress < EXCLUDED.progress
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = analysisId });
        command.Parameters.Add(new NpgsqlParameter { Value = progress });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The status the Hub should show next: a terminal status is never replaced (docs/compatibility.md#hub — the
    /// old service let a later stop log overwrite <c>failed</c>), except by the start of a new run of the analysis.
    /// </summary>
    public static string NextStatus(string? current, string wanted, bool newRun) =>
        !newRun && current is not null && AnalysisStatus.IsTerminal(current) ? current : wanted;
}
