using System.Text.Json.Nodes;

namespace Flame.DaprSim.Resources;

/// <summary>
/// The part of a Resiliency resource the simulator uses: the retry policy of a pub/sub component's inbound target, whose
/// <c>maxRetries</c> decides after how many failed deliveries a message goes to its dead-letter topic (Dapr docs:
/// resiliency policies; daprd: pkg/runtime/subscription/subscription.go sends to the DLQ once the policy is exhausted).
/// </summary>
public sealed record ResiliencySpec(string Name, IReadOnlyList<string> Scopes, IReadOnlyDictionary<string, RetrySpec> Retries, IReadOnlyDictionary<string, string> ComponentInboundRetry)
{
    public bool InScope(string appId) => Scopes.Count == 0 || Scopes.Contains(appId);

    public static ResiliencySpec Parse(JsonObject doc)
    {
        var spec = doc["spec"] as JsonObject ?? [];
        var retries = new Dictionary<string, RetrySpec>(StringComparer.Ordinal);
        foreach (var (name, node) in spec["policies"]?["retries"] as JsonObject ?? [])
        {
            var max = YamlDocuments.Text(node?["maxRetries"]);
            retries[name] = new RetrySpec(int.TryParse(max, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1);
        }

        var inbound = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (component, node) in spec["targets"]?["components"] as JsonObject ?? [])
        {
            if (YamlDocuments.Text(node?["inbound"]?["retry"]) is { } policy)
            {
                inbound[component] = policy;
            }
        }

        return new ResiliencySpec(YamlDocuments.Text(doc["metadata"]?["name"]) ?? "", YamlDocuments.Strings(doc["scopes"]), retries, inbound);
    }
}

/// <summary>A retry policy; <c>maxRetries</c> -1 (the default) retries for ever.</summary>
public sealed record RetrySpec(int MaxRetries);
