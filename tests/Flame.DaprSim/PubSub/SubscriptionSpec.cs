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
        var routes = Field(json, "routes") as JsonObject;
        foreach (var rule in ((routes is null ? null : Field(routes, "rules")) as JsonArray ?? []).OfType<JsonObject>())
        {
            rules.Add(new RouteRule(RouteMatch.Parse(YamlDocuments.Text(Field(rule, "match")) ?? ""), YamlDocuments.Text(Field(rule, "path")) ?? ""));
        }

        if (routes is not null && YamlDocuments.Text(Field(routes, "default")) is { Length: > 0 } fallback)
        {
            rules.Add(new RouteRule(null, fallback));
        }
        else if (YamlDocuments.Text(Field(json, "route")) is { Length: > 0 } route)
        {
            rules.Add(new RouteRule(null, route));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Field(json, "metadata") as JsonObject ?? [])
        {
            metadata[key] = YamlDocuments.Text(value) ?? "";
        }

        return new SubscriptionSpec(
            YamlDocuments.Text(Field(json, "pubsubname")) ?? "",
            YamlDocuments.Text(Field(json, "topic")) ?? "",
            rules,
            YamlDocuments.Text(Field(json, "deadLetterTopic")) is { Length: > 0 } dlq ? dlq : null,
            metadata,
            type);
    }

    /// <summary>
    /// A field as Go's encoding/json finds it: the exact name first, else case-insensitively, so the <c>pubsubName</c>
    /// that Dapr.AspNetCore's <c>MapSubscribeHandler</c> writes matches daprd's <c>pubsubname</c>.
    /// </summary>
    private static JsonNode? Field(JsonObject json, string name) =>
        json.TryGetPropertyValue(name, out var exact) ? exact : json.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The path of the first rule whose match holds (daprd: <c>findMatchingRoute</c>); null = no route, the event is dropped.</summary>
    public string? RouteFor(JsonObject cloudEvent) =>
        Rules.FirstOrDefault(r => r.Match is null || r.Match.Evaluate(cloudEvent))?.Path;
}

/// <summary>A routing rule; a null match always holds (the default route).</summary>
public sealed record RouteRule(RouteMatch? Match, string Path);
