using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Flame.Po.Dapr.PubSub;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// The embedded bus's view of this host's own app channel: it reads the subscriptions the host announces on
/// <c>GET /dapr/subscribe</c> and delivers CloudEvents to their routes, interpreting the replies as daprd does
/// (Dapr docs, "Publish and subscribe", subscriber responses).
/// </summary>
public sealed class AppChannelClient(HttpClient http)
{
    public const string CloudEventsMediaType = "application/cloudevents+json";

    /// <summary>The app's programmatic subscriptions (v1 <c>route</c> or v2 <c>routes.default</c>).</summary>
    public async Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("dapr/subscribe", cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var subscriptions = new List<Subscription>();
        foreach (var item in json.RootElement.EnumerateArray())
        {
            var pubSub = Property(item, "pubsubname");
            var topic = Property(item, "topic");
            var route = Property(item, "route")
                ?? (TryGetProperty(item, "routes", out var routes) ? Property(routes, "default") : null);
            if (pubSub is not null && topic is not null && route is not null)
            {
                subscriptions.Add(new Subscription(pubSub, topic, "/" + route.TrimStart('/')));
            }
        }

        return subscriptions;
    }

    /// <summary>One programmatic subscription: the component, the topic and the app route.</summary>
    public sealed record Subscription(string PubSubName, string Topic, string Route);

    public async Task<EventOutcome> DeliverAsync(string route, CloudEvent message, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(message));
        content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventsMediaType);
        using var response = await http.PostAsync(route.TrimStart('/'), content, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return EventOutcome.Drop;
        }

        if (!response.IsSuccessStatusCode)
        {
            return EventOutcome.Retry;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var json = JsonDocument.Parse(text);
            return Property(json.RootElement, "status")?.ToUpperInvariant() switch
            {
                null or "" or "SUCCESS" => EventOutcome.Success,
                "DROP" => EventOutcome.Drop,
                _ => EventOutcome.Retry,
            };
        }
        catch (JsonException)
        {
            // daprd skips the status check for a body that is not JSON.
            return EventOutcome.Success;
        }
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }

    private static string? Property(JsonElement element, string name) =>
        TryGetProperty(element, name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
