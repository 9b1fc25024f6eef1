using System.Text.Json.Nodes;

using Flame.DaprSim.Resources;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// One subscription as daprd keeps it (daprd: pkg/runtime/pubsub/subscriptions.go): the v1 <c>route</c> or the v2
/// <c>routes.rules</c> plus <c>routes.default</c> become an ordered rule list whose last rule has no match expression.
/// </summary>
public sealed record SubscriptionSpec(
    string PubsubName,
    string Topic,
    IReadOnlyList<RouteRule> Rules,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    string Type)
{
    public const string Programmatic = "PROGRAMMATIC";
    public const string Declarative = "DECLARATIVE";

    /// <summary>Subscription metadata <c>rawPayload: "true"</c>: messages are raw bytes, wrapped in a CloudEvent on delivery.</summary>
    public bool RawPayload => Metadata.TryGetValue("rawPayload", out var raw) && bool.TryParse(raw, out var on) && on;

    /// <summary>
    /// Reads one entry of <c>GET /dapr/subscribe</c> (field names of <c>SubscriptionJSON</c>) or a Subscription resource's spec.
    /// Returns null when it has no route at all, which daprd drops with a warning (<c>filterSubscriptions</c>).
    /// </summary>
    public static SubscriptionSpec FromJson(JsonObject json, string type)
    {
        var rules = new List<RouteRule>();
        foreach (var rule in (json["routes"]?["rules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            rules.Add(new RouteRule(RouteMatch.Parse(YamlDocuments.Text(rule["match"]) ?? ""), YamlDocuments.Text(rule["path"]) ?? ""));
        }

        if (YamlDocuments.Text(json["routes"]?["default"]) is { Length: > 0 } fallback)
        {
            rules.Add(new RouteRule(null, fallback));
        }
        else if (YamlDocuments.Text(json["route"]) is { Length: > 0 } route)
        {
            rules.Add(new RouteRule(null, route));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in json["metadata"] as JsonObject ?? [])
        {
            metadata[key] = YamlDocuments.Text(value) ?? "";
        }

        return new SubscriptionSpec(
            YamlDocuments.Text(json["pubsubname"]) ?? "",
            YamlDocuments.Text(json["topic"]) ?? "",
            rules,
            YamlDocuments.Text(json["deadLetterTopic"]) is { Length: > 0 } dlq ? dlq : null,
            metadata,
            type);
    }

    /// <summary>The path of the first rule whose match holds (daprd: <c>findMatchingRoute</c>); null = no route, the event is dropped.</summary>
    public string? RouteFor(JsonObject cloudEvent) =>
        Rules.FirstOrDefault(r => r.Match is null || r.Match.Evaluate(cloudEvent))?.Path;
}

/// <summary>A routing rule; a null match always holds (the default route).</summary>
public sealed record RouteRule(RouteMatch? Match, string Path);
