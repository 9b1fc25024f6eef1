using System.Text.Json.Nodes;

using Flame.DaprSim.PubSub;

namespace Flame.DaprSim.Resources;

/// <summary>A <c>kind: Subscription</c> resource (v1alpha1 <c>route</c> or v2alpha1 <c>routes</c>), loaded for the apps in its scopes.</summary>
public sealed record DeclarativeSubscription(SubscriptionSpec Subscription, IReadOnlyList<string> Scopes)
{
    public bool InScope(string appId) => Scopes.Count == 0 || Scopes.Contains(appId);

    public static DeclarativeSubscription Parse(JsonObject doc)
    {
        var spec = doc["spec"] as JsonObject ?? [];
        var subscription = SubscriptionSpec.FromJson(spec, SubscriptionSpec.Declarative);
        return new DeclarativeSubscription(subscription, YamlDocuments.Strings(doc["scopes"]));
    }
}
