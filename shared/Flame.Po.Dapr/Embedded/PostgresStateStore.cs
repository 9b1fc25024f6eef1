using System.Text.Json;
using Flame.Po.Dapr.State;
using Flame.Po.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// The embedded state store: table <c>state</c> in the PO's own PostgreSQL, with the ETag and transaction
/// semantics of Dapr's state.postgresql v2 (a fresh random UUID per write; conditional UPDATE for ETags).
/// A malformed ETag can never match, so it is reported as a conflict.
/// </summary>
public sealed class PostgresStateStore(NpgsqlDataSource dataSource, TimeProvider time) : IStateStore, IStateVersionReader
{
    public async Task<IReadOnlyDictionary<string, string>> GetETagsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            StateKeys.Validate(key);
        }

        if (keys.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return await RunAsync(async () =>
        {
            await using var command = dataSource.CreateCommand("SELECT key, etag FROM state WHERE key = ANY($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var etags = new Dictionary<string, string>(keys.Count, StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                etags[reader.GetString(0)] = reader.GetGuid(1).ToString();
            }

            return (IReadOnlyDictionary<string, string>)etags;
        });
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        StateKeys.Validate(key);
        return await RunAsync(async () =>
        {
            await using var command = dataSource.CreateCommand("SELECT value::text, etag FROM state WHERE key = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new StateEntry(key, ParseJson(reader.GetString(0)), reader.GetGuid(1).ToString())
                : null;
        });
    }

    public async Task<IReadOnlyList<StateEntry>> GetBulkAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            StateKeys.Validate(key);
        }

        if (keys.Count == 0)
        {
            return [];
        }

        return await RunAsync(async () =>
        {
            await using var command = dataSource.CreateCommand("SELECT key, value::text, etag FROM state WHERE key = ANY($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var entries = new List<StateEntry>(keys.Count);
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add(new StateEntry(reader.GetString(0), ParseJson(reader.GetString(1)), reader.GetGuid(2).ToString()));
            }

            return (IReadOnlyList<StateEntry>)entries;
        });
    }

    public Task SaveAsync(string key, JsonElement value, string? etag, StateConcurrency concurrency, CancellationToken cancellationToken) =>
        TransactAsync([new StateOperation(StateOperationKind.Upsert, key, value, etag, concurrency)], cancellationToken);

    public Task DeleteAsync(string key, string? etag, CancellationToken cancellationToken) =>
        TransactAsync([StateOperation.Delete(key, etag)], cancellationToken);

    public async Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        foreach (var operation in operations)
        {
            StateKeys.Validate(operation.Key);
            if (operation.Kind == StateOperationKind.Upsert && operation.Value is null)
            {
                throw new ArgumentException($"Upsert of '{operation.Key}' has no value.", nameof(operations));
            }
        }

        await RunAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var operation in operations)
            {
                var affected = await ApplyAsync(connection, operation, cancellationToken);
                if (affected == 0 && (operation.ETag is not null || operation.Concurrency == StateConcurrency.FirstWrite))
                {
                    await transaction.RollbackAsync(cancellationToken);
                    throw new StateConflictException(operation.Key);
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return true;
        });
    }

    private async Task<int> ApplyAsync(NpgsqlConnection connection, StateOperation operation, CancellationToken cancellationToken)
    {
        var hasETag = operation.ETag is not null;
        if (hasETag && !Guid.TryParse(operation.ETag, out _))
        {
            return 0;
        }

        var sql = (operation.Kind, hasETag, operation.Concurrency) switch
        {
            (StateOperationKind.Delete, true, _) => "DELETE FROM state WHERE key = $1 AND etag = $2::uuid",
            (StateOperationKind.Delete, false, _) => "DELETE FROM state WHERE key = $1",
            (StateOperationKind.Upsert, true, _) =>
                "UPDATE state SET value = $3::jsonb, etag = $4, updated_at = $5 WHERE key = $1 AND etag = $2::uuid",
            (StateOperationKind.Upsert, false, StateConcurrency.FirstWrite) =>
                "INSERT INTO state (key, value, etag, created_at, updated_at) VALUES ($1, $3::jsonb, $4, $5, $5) ON CONFLICT (key) DO NOTHING",
            _ => """
                INSERT INTO state (key, value, etag, created_at, updated_at) VALUES ($1, $3::jsonb, $4, $5, $5)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = excluded.updated_at
                """,
        };

        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = operation.Key });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)operation.ETag ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        if (operation.Kind == StateOperationKind.Upsert)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = operation.Value!.Value.GetRawText(), NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
            command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static async Task<T> RunAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (NpgsqlException e)
        {
            throw new StateStoreUnavailableException($"State store unavailable: {DatabaseErrors.Describe(e)}", e);
        }
    }
}
