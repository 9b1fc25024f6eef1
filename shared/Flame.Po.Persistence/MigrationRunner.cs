using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flame.Po.Persistence;

/// <summary>
/// Applies pending migrations in version order, each in its own transaction, recording them in
/// <c>schema_migrations</c>. A session advisory lock serialises hosts that start together; the second host
/// waits, then finds nothing left to do.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    /// <summary>Arbitrary constant shared by every PO instance: "flame-po migrations".</summary>
    private const long AdvisoryLockKey = 0x466C_506F_4D69_67;

    /// <summary>
    /// Whole-text checksums recorded by earlier releases of scripts whose comments were reworded since (their SQL is
    /// unchanged): accepted once and replaced by the current checksum.
    /// </summary>
    private static readonly HashSet<(int Version, string Checksum)> RewordedComments =
    [
        (1, "fef3c391e9c7ecd6f969817e2240c5519449cb5e57cc646a1e189956544cfdbd"),
        (3, "5bb2603e8e5772178f15736ebf3c502183b7a3852f1f83e012545af67b4b21ea"),
    ];

    public Task<int> ApplyAsync(CancellationToken cancellationToken) => ApplyAsync(MigrationCatalog.Embedded, cancellationToken);

    /// <returns>The number of migrations applied by this call (0 when the schema was already current).</returns>
    public async Task<int> ApplyAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var count = 0;
            foreach (var migration in MigrationCatalog.Validated(migrations))
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (checksum == migration.Checksum)
                    {
                        continue;
                    }

                    if (checksum != migration.TextChecksum && !RewordedComments.Contains((migration.Version, checksum)))
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration.Version} ({migration.Name}) was changed after it was applied; add a new migration instead.");
                    }

                    // Recorded by an earlier release over the whole text: the SQL is the same, record the current checksum.
                    await RecordChecksumAsync(connection, migration, cancellationToken);
                    continue;
                }

                await ApplyOneAsync(connection, migration, cancellationToken);
                count++;
            }

            return count;
        }
        finally
        {
            // The lock is released with the session anyway; unlocking keeps a pooled connection clean.
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private async Task ApplyOneAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var record = new NpgsqlCommand(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
        {
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Applied database migration {version} {name}", migration.Version, migration.Name);
    }

    private static async Task RecordChecksumAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE schema_migrations SET checksum = $2 WHERE version = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
