using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.DaprSim.Sidecars;

using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// Reads an app's programmatic subscriptions (daprd: pkg/runtime/pubsub/subscriptions.go <c>GetSubscriptionsHTTP</c>):
/// <c>GET /dapr/subscribe</c> once the app channel is up, retried while the app does not answer; 200 gives the list,
/// 404 (or any other status) means no subscriptions; entries without any route are dropped.
/// </summary>
public static class SubscriptionLoader
{
    public static async Task<IReadOnlyList<SubscriptionSpec>> LoadAsync(Sidecar sidecar, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
                request.Headers.TryAddWithoutValidation("dapr-app-id", sidecar.AppId);
                using var response = await sidecar.AppChannel.SendAsync(request, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                if ((int)response.StatusCode != 200)
                {
                    sidecar.Logger.LogInformation("app {app_id}: GET /dapr/subscribe answered {status}: no programmatic subscriptions", sidecar.AppId, (int)response.StatusCode);
                    return [];
                }

                return Parse(text, sidecar);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                await Task.Delay(sidecar.Runtime.Options.SubscribeRetryInterval, ct);
            }
        }
    }

    private static List<SubscriptionSpec> Parse(string text, Sidecar sidecar)
    {
        JsonArray items;
        try
        {
            items = text.Trim().Length == 0 ? [] : JsonNode.Parse(text) as JsonArray ?? throw new JsonException("not an array");
        }
        catch (JsonException e)
        {
            sidecar.Logger.LogError("app {app_id}: error getting topics from app: {error}", sidecar.AppId, e.Message);
            return [];
        }

        var subscriptions = new List<SubscriptionSpec>();
        foreach (var item in items.OfType<JsonObject>())
        {
            try
            {
                var subscription = SubscriptionSpec.FromJson(item, SubscriptionSpec.Programmatic);
                if (subscription.Rules.Count == 0)
                {
                    sidecar.Logger.LogWarning("app {app_id}: topic {topic} has an empty routes. removing from subscriptions list", sidecar.AppId, subscription.Topic);
                    continue;
                }

                subscriptions.Add(subscription);
            }
            catch (NotSupportedException e)
            {
                sidecar.Logger.LogError("app {app_id}: {error}", sidecar.AppId, e.Message);
            }
        }

        return subscriptions;
    }
}
