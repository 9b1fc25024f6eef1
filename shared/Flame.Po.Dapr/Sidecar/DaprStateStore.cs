using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Flame.Po.Dapr.State;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// The state store through the sidecar, with the SDK's <see cref="DaprClient"/> (gRPC). Every write that carries an
/// ETag also says <c>first-write</c>, so the ETag is checked whatever the component's default. daprd reports an ETag
/// mismatch of a save or delete as gRPC <c>Aborted</c> (the SDK's <c>TrySave…</c>/<c>TryDelete…</c> then answer
/// false), a failed transaction as an error whose message names the mismatch, and a first-write insert of an existing
/// key as "no item was updated"; all become
/// <see cref="StateConflictException"/>. An unreachable sidecar or store is <see cref="StateStoreUnavailableException"/>.
/// </summary>
public sealed class DaprStateStore(DaprClient dapr, IOptions<DaprSettings> settings) : IStateStore
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    private string Store => settings.Value.StateStore;

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        StateKeys.Validate(key);
        var (value, etag) = await CallAsync(key, () => dapr.GetStateAndETagAsync<JsonElement>(Store, key, cancellationToken: cancellationToken));
        return value.ValueKind == JsonValueKind.Undefined ? null : new StateEntry(key, value, etag ?? string.Empty);
    }

    public async Task<IReadOnlyList<StateEntry>> GetBulkAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            StateKeys.Validate(key);
        }

        if (keys.Count == 0)
        {
            return [];
        }

        var items = await CallAsync("(bulk)", () => dapr.GetBulkStateAsync(Store, [.. keys], parallelism: 10, cancellationToken: cancellationToken));
        return items
            .Where(item => !string.IsNullOrEmpty(item.Value))
            .Select(item => new StateEntry(item.Key, JsonDocument.Parse(item.Value).RootElement.Clone(), item.ETag ?? string.Empty))
            .ToList();
    }

    public async Task SaveAsync(string key, JsonElement value, string? etag, StateConcurrency concurrency, CancellationToken cancellationToken)
    {
        StateKeys.Validate(key);
        if (etag is not null)
        {
            if (!await CallAsync(key, () => dapr.TrySaveStateAsync(Store, key, value, etag, FirstWrite, cancellationToken: cancellationToken)))
            {
                throw new StateConflictException(key);
            }

            return;
        }

        var options = concurrency == StateConcurrency.FirstWrite ? FirstWrite : null;
        await CallAsync(key, async () =>
        {
            await dapr.SaveStateAsync(Store, key, value, options, cancellationToken: cancellationToken);
            return true;
        });
    }

    public async Task DeleteAsync(string key, string? etag, CancellationToken cancellationToken)
    {
        StateKeys.Validate(key);
        if (etag is not null)
        {
            if (!await CallAsync(key, () => dapr.TryDeleteStateAsync(Store, key, etag, FirstWrite, cancellationToken: cancellationToken)))
            {
                throw new StateConflictException(key);
            }

            return;
        }

        await CallAsync(key, async () =>
        {
            await dapr.DeleteStateAsync(Store, key, cancellationToken: cancellationToken);
            return true;
        });
    }

    public async Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var operation in operations)
        {
            StateKeys.Validate(operation.Key);
        }

        var requests = operations.Select(operation => new StateTransactionRequest(
            operation.Key,
            operation.Value is { } v ? Encoding.UTF8.GetBytes(v.GetRawText()) : null,
            operation.Kind == StateOperationKind.Upsert ? StateOperationType.Upsert : StateOperationType.Delete,
            operation.ETag,
            options: operation.ETag is not null || operation.Concurrency == StateConcurrency.FirstWrite ? FirstWrite : null)).ToList();
        await CallAsync("(transaction)", async () =>
        {
            await dapr.ExecuteStateTransactionAsync(Store, requests, cancellationToken: cancellationToken);
            return true;
        });
    }

    private static async Task<T> CallAsync<T>(string key, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DaprException e) when (e.InnerException is RpcException rpc)
        {
            throw Map(key, rpc, e);
        }
        catch (RpcException rpc)
        {
            throw Map(key, rpc, rpc);
        }
    }

    private static StateStoreException Map(string key, RpcException rpc, Exception error)
    {
        // A first-write insert of a key that exists fails with "no item was updated" (state.postgresql v2).
        if (rpc.StatusCode == StatusCode.Aborted
            || rpc.Status.Detail.Contains("etag mismatch", StringComparison.OrdinalIgnoreCase)
            || rpc.Status.Detail.Contains("no item was updated", StringComparison.OrdinalIgnoreCase))
        {
            return new StateConflictException(key);
        }

        return rpc.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.PermissionDenied
            ? new StateStoreException($"The state store rejected the request for '{key}': {rpc.StatusCode} {rpc.Status.Detail}", error)
            : new StateStoreUnavailableException($"The state store failed for '{key}': {rpc.StatusCode} {rpc.Status.Detail}", error);
    }
}
