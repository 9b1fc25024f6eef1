using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.IntegrationTests.Support;
using Flame.Testing;
using Npgsql;

namespace Flame.Po.IntegrationTests.LogService;

public sealed record LogRow(long Id, string Source, string Level, string? Status, int? Progress, string Message, string? DeploymentName);

/// <summary>Reads what the logging service stored, straight from PostgreSQL.</summary>
public static class LogRows
{
    public static Task<IReadOnlyList<LogRow>> OfAsync(LifecycleHarness h, string analysisId) => OfAsync(h.Database, analysisId);

    public static async Task<IReadOnlyList<LogRow>> OfAsync(TestDatabase database, string analysisId)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT id, source, level, status, progress, message, deployment_name FROM log_line WHERE analysis_id = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = analysisId });
        var rows = new List<LogRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new LogRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return rows;
    }

    public static Task<long> CountAsync(LifecycleHarness h) => h.Database.CountAsync("SELECT count(*) FROM log_line");

    /// <summary>Waits until the analysis has at least <paramref name="count"/> lines matching <paramref name="filter"/>.</summary>
    public static async Task<IReadOnlyList<LogRow>> WaitForAsync(LifecycleHarness h, string analysisId, Func<IReadOnlyList<LogRow>, bool> condition, TimeSpan? timeout = null)
    {
        IReadOnlyList<LogRow> rows = [];
        await Wait.UntilAsync(
            async () => condition(rows = await OfAsync(h, analysisId)),
            timeout ?? TimeSpan.FromSeconds(60),
            $"the log lines of {analysisId} to match",
            details: () => $"last: {string.Join(" | ", rows.Select(r => r.Message))}");
        return rows;
    }
}
