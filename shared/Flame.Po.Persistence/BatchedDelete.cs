using Npgsql;

namespace Flame.Po.Persistence;

/// <summary>
/// Deletes in bounded batches, one short transaction per batch, so a sweep of many rows never holds locks that
/// ingestion or the lifecycle wait for.
/// </summary>
public static class BatchedDelete
{
    public const int BatchSize = 5000;

    /// <summary>
    /// Runs <paramref name="sql"/> (a <c>DELETE … WHERE ctid IN (SELECT ctid … LIMIT $1)</c>; <c>$1</c> is the batch
    /// size, <paramref name="parameters"/> are <c>$2</c> on) until a batch deletes fewer rows than the batch size.
    /// Returns the rows deleted.
    /// </summary>
    public static async Task<long> RunAsync(NpgsqlDataSource dataSource, string sql, IReadOnlyList<object> parameters, CancellationToken cancellationToken, int batchSize = BatchSize)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(parameters);
        long total = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = batchSize });
            foreach (var value in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < batchSize)
            {
                return total;
            }
        }
    }
}
