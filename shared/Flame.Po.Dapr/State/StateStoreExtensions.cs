namespace Flame.Po.Dapr.State;

public static class StateStoreExtensions
{
    public static async Task<T?> GetValueAsync<T>(this IStateStore store, string key, CancellationToken cancellationToken)
        where T : class
    {
        var entry = await store.GetAsync(key, cancellationToken);
        return entry?.Get<T>();
    }

    public static Task SaveAsync<T>(
        this IStateStore store, string key, T value, string? etag = null,
        StateConcurrency concurrency = StateConcurrency.LastWrite, CancellationToken cancellationToken = default) =>
        store.SaveAsync(key, StateJson.ToElement(value), etag, concurrency, cancellationToken);
}
