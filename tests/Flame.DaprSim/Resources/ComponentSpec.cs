using System.Text.Json.Nodes;

namespace Flame.DaprSim.Resources;

/// <summary>
/// A Dapr Component resource (<c>kind: Component</c>). Metadata values given as <c>secretKeyRef</c> are kept empty: the
/// simulated stores live in memory and need no connection string, so secret stores are listed but never read.
/// </summary>
public sealed record ComponentSpec(string Name, string Type, string Version, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<string> Scopes)
{
    public bool IsStateStore => Type.StartsWith("state.", StringComparison.Ordinal);

    public bool IsPubSub => Type.StartsWith("pubsub.", StringComparison.Ordinal);

    public bool IsCronBinding => Type == "bindings.cron";

    /// <summary>Component scopes: none means every app loads it (Dapr docs: component scopes).</summary>
    public bool InScope(string appId) => Scopes.Count == 0 || Scopes.Contains(appId);

    /// <summary>A metadata value by name, case-insensitively as daprd's metadata decoding does.</summary>
    public string? Meta(string name) =>
        Metadata.FirstOrDefault(m => string.Equals(m.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public static ComponentSpec Parse(JsonObject doc)
    {
        var spec = doc["spec"] as JsonObject ?? [];
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in spec["metadata"] as JsonArray ?? [])
        {
            if (item is JsonObject entry && YamlDocuments.Text(entry["name"]) is { } name)
            {
                metadata[name] = YamlDocuments.Text(entry["value"]) ?? "";
            }
        }

        return new ComponentSpec(
            YamlDocuments.Text(doc["metadata"]?["name"]) ?? throw new InvalidDataException("a Component without metadata.name"),
            YamlDocuments.Text(spec["type"]) ?? throw new InvalidDataException("a Component without spec.type"),
            YamlDocuments.Text(spec["version"]) ?? "v1",
            metadata,
            YamlDocuments.Strings(doc["scopes"]));
    }
}
