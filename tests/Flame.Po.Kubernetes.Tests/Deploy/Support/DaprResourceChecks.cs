using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Flame.Po.Kubernetes.Tests.Deploy.Support;

/// <summary>
/// Schema checks of the Dapr resources (Component, Configuration, Resiliency) against the fields of
/// the Dapr docs' component and CRD references (bindings.cron, state.postgresql v2, pub/sub brokers, Configuration
/// access control, Resiliency): kubernetes-models has no Dapr types, and daprd only reports a
/// bad field when it loads the file. Unknown metadata names are problems too (a typo is silently ignored by
/// daprd, e.g. v1's <c>tableName</c> on state.postgresql v2). Returns one message per problem.
/// </summary>
internal static partial class DaprResourceChecks
{
    /// <summary>Metadata fields each component type we use accepts (components-contrib metadata.yaml).</summary>
    private static readonly Dictionary<string, (string[] Required, string[] Optional)> ComponentFields = new(StringComparer.Ordinal)
    {
        ["state.postgresql/v2"] = (["connectionString"], ["tablePrefix", "metadataTableName", "timeout", "cleanupInterval", "maxConns", "connectionMaxIdleTime", "queryExecMode", "actorStateStore", "host", "hostaddr", "port", "database", "user", "password", "sslRootCert", "useAzureAD", "useAWSIAM"]),
        ["pubsub.redis/v1"] = (["redisHost"], ["redisPassword", "redisUsername", "enableTLS", "consumerID", "concurrency", "processingTimeout", "redeliverInterval", "queueDepth", "maxLenApprox", "redisDB", "redisType", "failover", "sentinelMasterName"]),
        ["bindings.cron/v1"] = (["schedule"], ["direction", "route"]),
        ["secretstores.local.env/v1"] = ([], ["prefix"]),
    };

    public static IReadOnlyList<string> Check(IReadOnlyList<JsonObject> resources, IReadOnlyCollection<string> appIds)
    {
        var problems = new List<string>();
        var componentNames = resources.Where(r => Kind(r) == "Component").Select(Name).ToHashSet(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            var where = $"{Kind(resource)}/{Name(resource)}";
            void Problem(string text) => problems.Add($"{where}: {text}");
            if (resource["apiVersion"]?.GetValue<string>() != "dapr.io/v1alpha1")
            {
                Problem("apiVersion must be dapr.io/v1alpha1");
            }

            Scopes(resource, appIds, Problem);
            switch (Kind(resource))
            {
                case "Component":
                    Component(resource, Problem);
                    break;
                case "Configuration":
                    Configuration(resource, Problem);
                    break;
                case "Resiliency":
                    Resiliency(resource, appIds, componentNames, Problem);
                    break;
                default:
                    Problem("unexpected kind");
                    break;
            }
        }

        return problems;
    }

    public static string Kind(JsonObject o) => o["kind"]?.GetValue<string>() ?? "";

    public static string Name(JsonObject o) => o["metadata"]?["name"]?.GetValue<string>() ?? "";

    public static bool IsDuration(string? text) => text is not null && GoDuration().IsMatch(text);

    /// <summary>The metadata list of a Component as name → entry.</summary>
    public static Dictionary<string, JsonObject> Metadata(JsonObject component) =>
        (component["spec"]?["metadata"]?.AsArray() ?? []).Select(m => m!.AsObject())
            .ToDictionary(m => m["name"]?.GetValue<string>() ?? "", StringComparer.Ordinal);

    private static void Scopes(JsonObject resource, IReadOnlyCollection<string> appIds, Action<string> problem)
    {
        if (Kind(resource) == "Configuration")
        {
            return;
        }

        var scopes = resource["scopes"]?.AsArray().Select(s => s?.GetValue<string>()).ToList();
        if (scopes is null || scopes.Count == 0)
        {
            problem("scopes must limit it to the apps that use it");
        }
        else if (scopes.Any(s => !appIds.Contains(s)))
        {
            problem($"scopes name unknown apps: {string.Join(", ", scopes)}");
        }
    }

    private static void Component(JsonObject component, Action<string> problem)
    {
        var type = component["spec"]?["type"]?.GetValue<string>();
        var version = component["spec"]?["version"]?.GetValue<string>();
        if (!ComponentFields.TryGetValue($"{type}/{version}", out var fields))
        {
            problem($"type {type} {version} is not one the PO uses");
            return;
        }

        Dictionary<string, JsonObject> metadata;
        try
        {
            metadata = Metadata(component);
        }
        catch (ArgumentException)
        {
            problem("a metadata name appears twice");
            return;
        }

        foreach (var (name, entry) in metadata)
        {
            if (!fields.Required.Contains(name) && !fields.Optional.Contains(name))
            {
                problem($"metadata {name} is not a field of {type} {version}");
            }

            var hasValue = entry["value"] is not null;
            var secret = entry["secretKeyRef"];
            if (hasValue == (secret is not null))
            {
                problem($"metadata {name} needs exactly one of value and secretKeyRef");
            }

            if (secret is not null && (string.IsNullOrEmpty(secret["name"]?.GetValue<string>()) || string.IsNullOrEmpty(secret["key"]?.GetValue<string>())))
            {
                problem($"metadata {name}: secretKeyRef needs name and key");
            }

            if (secret is not null && string.IsNullOrEmpty(component["auth"]?["secretStore"]?.GetValue<string>()))
            {
                problem("auth.secretStore must name the secret store its secretKeyRefs read");
            }
        }

        foreach (var name in fields.Required.Where(n => !metadata.ContainsKey(n)))
        {
            problem($"metadata {name} is required");
        }

        if (metadata.TryGetValue("connectionString", out var connection) && connection["value"] is not null)
        {
            problem("connectionString must come from a secretKeyRef, never a plain value");
        }

        foreach (var duration in new[] { "timeout", "cleanupInterval", "processingTimeout", "redeliverInterval" })
        {
            if (metadata.TryGetValue(duration, out var entry) && !IsDuration(entry["value"]?.GetValue<string>()))
            {
                problem($"metadata {duration} must be a Go duration");
            }
        }

        if (type == "bindings.cron" && !IsCronSchedule(metadata["schedule"]["value"]?.GetValue<string>()))
        {
            problem("schedule must be @every <duration>, a 6-field cron expression or a @descriptor");
        }

        if (type == "secretstores.local.env" && metadata.TryGetValue("prefix", out var prefix) && prefix["value"]?.GetValue<string>() is { } p
            && (p.Length == 0 || p.StartsWith("DAPR_", StringComparison.Ordinal)))
        {
            problem("prefix must be set and must not start with DAPR_ (the store refuses those variables)");
        }
    }

    private static bool IsCronSchedule(string? schedule) =>
        schedule is not null && (schedule.StartsWith("@every ", StringComparison.Ordinal)
            ? IsDuration(schedule["@every ".Length..])
            : schedule is "@yearly" or "@monthly" or "@weekly" or "@daily" or "@hourly" || schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6);

    private static void Configuration(JsonObject configuration, Action<string> problem)
    {
        var acl = configuration["spec"]?["accessControl"];
        if (acl is null)
        {
            problem("spec.accessControl is missing");
            return;
        }

        if (acl["defaultAction"]?.GetValue<string>() != "deny")
        {
            problem("accessControl.defaultAction must be deny");
        }

        foreach (var policy in acl["policies"]?.AsArray().Select(p => p!.AsObject()) ?? [])
        {
            var appId = policy["appId"]?.GetValue<string>();
            if (string.IsNullOrEmpty(appId))
            {
                problem("a policy has no appId");
            }

            // daprd drops a policy without trustDomain or namespace (pkg/config ParseAccessControlSpec).
            foreach (var field in new[] { "trustDomain", "namespace" })
            {
                if (string.IsNullOrEmpty(policy[field]?.GetValue<string>()))
                {
                    problem($"policy {appId}: {field} is required");
                }
            }

            if (policy["defaultAction"]?.GetValue<string>() is not ("allow" or "deny"))
            {
                problem($"policy {appId}: defaultAction must be allow or deny");
            }

            foreach (var operation in policy["operations"]?.AsArray().Select(o => o!.AsObject()) ?? [])
            {
                if (operation["name"]?.GetValue<string>()?.StartsWith('/') != true || operation["action"]?.GetValue<string>() is not ("allow" or "deny")
                    || operation["httpVerb"] is not JsonArray { Count: > 0 })
                {
                    problem($"policy {appId}: every operation needs a /name, httpVerb list and allow or deny");
                }
            }
        }
    }

    private static void Resiliency(JsonObject resiliency, IReadOnlyCollection<string> appIds, HashSet<string> components, Action<string> problem)
    {
        var policies = resiliency["spec"]?["policies"];
        var timeouts = Names(policies?["timeouts"]);
        var retries = Names(policies?["retries"]);
        var breakers = Names(policies?["circuitBreakers"]);
        foreach (var (name, value) in policies?["timeouts"]?.AsObject() ?? [])
        {
            if (!IsDuration(value?.GetValue<string>()))
            {
                problem($"timeout {name} must be a Go duration");
            }
        }

        foreach (var (name, retry) in policies?["retries"]?.AsObject() ?? [])
        {
            if (retry?["policy"]?.GetValue<string>() is not ("constant" or "exponential"))
            {
                problem($"retry {name}: policy must be constant or exponential");
            }

            if (retry?["maxRetries"] is null)
            {
                problem($"retry {name}: set maxRetries (the default, -1, retries forever)");
            }

            foreach (var field in new[] { "duration", "maxInterval" })
            {
                if (retry?[field] is { } d && !IsDuration(d.GetValue<string>()))
                {
                    problem($"retry {name}: {field} must be a Go duration");
                }
            }
        }

        foreach (var (name, breaker) in policies?["circuitBreakers"]?.AsObject() ?? [])
        {
            if (breaker?["trip"] is null || breaker["timeout"] is null)
            {
                problem($"circuit breaker {name} needs trip and timeout");
            }
        }

        void Target(string what, JsonNode? target)
        {
            if (target?["timeout"]?.GetValue<string>() is { } t && !timeouts.Contains(t))
            {
                problem($"{what}: timeout {t} is not defined");
            }

            if (target?["retry"]?.GetValue<string>() is { } r && !retries.Contains(r))
            {
                problem($"{what}: retry {r} is not defined");
            }

            if (target?["circuitBreaker"]?.GetValue<string>() is { } c && !breakers.Contains(c))
            {
                problem($"{what}: circuit breaker {c} is not defined");
            }
        }

        foreach (var (app, target) in resiliency["spec"]?["targets"]?["apps"]?.AsObject() ?? [])
        {
            if (!appIds.Contains(app))
            {
                problem($"targets.apps.{app} is not a PO app");
            }

            Target($"apps.{app}", target);
        }

        foreach (var (component, target) in resiliency["spec"]?["targets"]?["components"]?.AsObject() ?? [])
        {
            if (!components.Contains(component))
            {
                problem($"targets.components.{component} names no component of this set");
            }

            foreach (var direction in target?.AsObject() ?? [])
            {
                if (direction.Key is not ("inbound" or "outbound"))
                {
                    problem($"components.{component}.{direction.Key} must be inbound or outbound");
                }

                Target($"components.{component}.{direction.Key}", direction.Value);
            }
        }
    }

    private static HashSet<string> Names(JsonNode? node) => (node?.AsObject() ?? []).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex GoDuration();
}
