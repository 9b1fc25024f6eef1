using System.Globalization;
using System.Text.Json.Nodes;

using Dapr.Client.Autogen.Grpc.v1;

using Flame.DaprSim.PubSub;
using Flame.DaprSim.Resources;
using Flame.DaprSim.Sidecars;

namespace Flame.DaprSim.Api;

/// <summary>
/// The sidecar metadata (daprd: pkg/api/universal/metadata.go <c>GetMetadata</c>; the HTTP shape of
/// pkg/api/http/metadata.go <c>metadataResponse</c>): app id, the components in scope with their capabilities, the
/// subscriptions, the app connection and the extended metadata.
/// </summary>
public static class SidecarMetadata
{
    public const string RuntimeVersion = "1.17.0-sim";

    public static GetMetadataResponse ToProto(Sidecar sidecar)
    {
        var response = new GetMetadataResponse
        {
            Id = sidecar.AppId,
            RuntimeVersion = RuntimeVersion,
            AppConnectionProperties = new AppConnectionProperties { Port = sidecar.Options.AppPort, Protocol = "http", ChannelAddress = "127.0.0.1" },
            ActorRuntime = new ActorRuntime { RuntimeStatus = ActorRuntime.Types.ActorRuntimeStatus.Disabled },
        };
        if (sidecar.Options.AppHealthCheckPath is { } path)
        {
            response.AppConnectionProperties.Health = Health(path);
        }

        response.ExtendedMetadata.Add(Extended(sidecar));
        foreach (var component in sidecar.Components)
        {
            var registered = new RegisteredComponents { Name = component.Name, Type = component.Type, Version = component.Version };
            registered.Capabilities.Add(Capabilities(component));
            response.RegisteredComponents.Add(registered);
        }

        foreach (var subscription in sidecar.Subscriptions)
        {
            var item = new PubsubSubscription
            {
                PubsubName = subscription.PubsubName,
                Topic = subscription.Topic,
                DeadLetterTopic = subscription.DeadLetterTopic ?? "",
                Rules = new PubsubSubscriptionRules(),
                Type = subscription.Type == SubscriptionSpec.Declarative ? PubsubSubscriptionType.Declarative : PubsubSubscriptionType.Programmatic,
            };
            item.Metadata.Add(new Dictionary<string, string>(subscription.Metadata));
            item.Rules.Rules.Add(subscription.Rules.Select(r => new PubsubSubscriptionRule { Match = r.Match?.Text ?? "", Path = r.Path }));
            response.Subscriptions.Add(item);
        }

        return response;
    }

    public static JsonObject ToJson(Sidecar sidecar)
    {
        var body = new JsonObject
        {
            ["id"] = sidecar.AppId,
            ["runtimeVersion"] = RuntimeVersion,
            ["extended"] = new JsonObject(Extended(sidecar).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
        };
        var components = new JsonArray();
        foreach (var component in sidecar.Components)
        {
            components.Add(new JsonObject
            {
                ["name"] = component.Name,
                ["type"] = component.Type,
                ["version"] = component.Version,
                ["capabilities"] = new JsonArray(Capabilities(component).Select(c => (JsonNode?)c).ToArray()),
            });
        }

        if (components.Count > 0)
        {
            body["components"] = components;
        }

        var subscriptions = new JsonArray();
        foreach (var s in sidecar.Subscriptions)
        {
            var item = new JsonObject { ["pubsubname"] = s.PubsubName, ["topic"] = s.Topic };
            if (s.Metadata.Count > 0)
            {
                item["metadata"] = new JsonObject(s.Metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
            }

            item["rules"] = new JsonArray(s.Rules.Select(r => (JsonNode?)(r.Match is null ? new JsonObject { ["path"] = r.Path } : new JsonObject { ["match"] = r.Match.Text, ["path"] = r.Path })).ToArray());
            item["deadLetterTopic"] = s.DeadLetterTopic ?? "";
            item["type"] = s.Type;
            subscriptions.Add(item);
        }

        if (subscriptions.Count > 0)
        {
            body["subscriptions"] = subscriptions;
        }

        var connection = new JsonObject { ["port"] = sidecar.Options.AppPort, ["protocol"] = "http", ["channelAddress"] = "127.0.0.1" };
        if (sidecar.Options.AppHealthCheckPath is { } path)
        {
            var health = Health(path);
            connection["health"] = new JsonObject
            {
                ["healthCheckPath"] = health.HealthCheckPath,
                ["healthProbeInterval"] = health.HealthProbeInterval,
                ["healthProbeTimeout"] = health.HealthProbeTimeout,
                ["healthThreshold"] = health.HealthThreshold,
            };
        }

        body["appConnectionProperties"] = connection;
        body["actorRuntime"] = new JsonObject { ["runtimeStatus"] = "DISABLED", ["hostReady"] = false };
        return body;
    }

    private static Dictionary<string, string> Extended(Sidecar sidecar)
    {
        var extended = new Dictionary<string, string>(sidecar.ExtendedMetadata, StringComparer.Ordinal) { ["daprRuntimeVersion"] = RuntimeVersion };
        return extended;
    }

    // The defaults of daprd's app health check (5s interval, 500ms timeout, threshold 3).
    private static AppConnectionHealthProperties Health(string path) =>
        new() { HealthCheckPath = path, HealthProbeInterval = "5s", HealthProbeTimeout = "500ms", HealthThreshold = 3 };

    /// <summary>The features the real components report (components-contrib: state.postgresql v2 <c>Features()</c>).</summary>
    private static List<string> Capabilities(ComponentSpec component)
    {
        if (component.IsStateStore)
        {
            var features = new List<string> { "ETAG", "TRANSACTIONAL", "TTL", "KEYS_LIKE" };
            if (string.Equals(component.Meta("actorStateStore"), "true", StringComparison.OrdinalIgnoreCase))
            {
                features.Add("ACTOR");
            }

            return features;
        }

        return component.IsCronBinding ? ["INPUT_BINDING"] : [];
    }

}
