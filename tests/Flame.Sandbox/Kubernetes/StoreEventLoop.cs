namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The loop every simulated controller runs: each stored change is handed to <c>handle</c>; a change that
/// races with another writer (ApiException) is skipped, because a later event reconciles again.
/// </summary>
internal static class StoreEventLoop
{
    public static async Task RunAsync(ApiCore api, Action<WatchEvent> handle, CancellationToken ct)
    {
        using var subscription = api.Store.Subscribe(null, null, null)!;
        try
        {
            await foreach (var evt in subscription.Live.ReadAllAsync(ct))
            {
                try
                {
                    handle(evt);
                }
                catch (ApiException)
                {
                    // Raced with another writer; the next event re-evaluates.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Sandbox shutdown.
        }
    }
}
