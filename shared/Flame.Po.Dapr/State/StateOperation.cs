using System.Text.Json;

namespace Flame.Po.Dapr.State;

public enum StateOperationKind
{
    Upsert,
    Delete,
}

/// <summary>One operation of a state transaction (Dapr <c>/v1.0/state/{store}/transaction</c>).</summary>
public sealed record StateOperation(
    StateOperationKind Kind, string Key, JsonElement? Value, string? ETag, StateConcurrency Concurrency)
{
    public static StateOperation Upsert<T>(string key, T value, string? etag = null, StateConcurrency concurrency = StateConcurrency.LastWrite) =>
        new(StateOperationKind.Upsert, key, StateJson.ToElement(value), etag, concurrency);

    public static StateOperation Delete(string key, string? etag = null) =>
        new(StateOperationKind.Delete, key, null, etag, StateConcurrency.LastWrite);
}
