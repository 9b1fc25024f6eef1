using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.Po.Lifecycle.Workloads;

using k8s.Models;

namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>
/// The checks kubernetes-models cannot do (its schemas come from the Kubernetes OpenAPI, which allows unknown fields
/// and does not check names): unknown fields, name and label syntax, selectors that match their templates, Pod
/// Security "restricted" plus our hardening. Works on the JSON wire form, so a manifest broken by hand is checked the
/// same way as a built one. Returns one message per problem.
/// </summary>
internal static class StrictManifestChecks
{
    private static readonly string[] AllowedVolumeTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
    private static readonly string[] SecretEnvNames = ["DATA_SOURCE_TOKEN", "KEYCLOAK_TOKEN"];

    public static IReadOnlyList<string> Check(IReadOnlyList<string> jsonDocuments)
    {
        var problems = new List<string>();
        var objects = jsonDocuments.Select(j => JsonNode.Parse(j)!.AsObject()).ToList();
        foreach (var json in objects)
        {
            var where = $"{json["kind"]}/{json["metadata"]?["name"]}";
            void Problem(string text) => problems.Add($"{where}: {text}");
            UnknownFields(json, Problem);
            Metadata(json["metadata"]?.AsObject(), json["kind"]?.GetValue<string>(), Problem);
            switch (json["kind"]?.GetValue<string>())
            {
                case "Deployment":
                    Deployment(json, Problem);
                    break;
                case "Service":
                    ServiceSelector(json, objects, Problem);
                    break;
                case "NetworkPolicy":
                    PolicySelector(json, objects, Problem);
                    break;
                case "Secret":
                    Secret(json, Problem);
                    break;
            }
        }

        return problems;
    }

    /// <summary>
    /// Reads the document into the official client's typed model and writes it back: a field the model (and so
    /// the API server's schema) does not know does not survive the round trip.
    /// </summary>
    private static void UnknownFields(JsonObject json, Action<string> problem)
    {
        Func<string, object>? read = json["kind"]?.GetValue<string>() switch
        {
            "Deployment" => text => k8s.KubernetesJson.Deserialize<V1Deployment>(text),
            "Service" => text => k8s.KubernetesJson.Deserialize<V1Service>(text),
            "NetworkPolicy" => text => k8s.KubernetesJson.Deserialize<V1NetworkPolicy>(text),
            "ConfigMap" => text => k8s.KubernetesJson.Deserialize<V1ConfigMap>(text),
            "Secret" => text => k8s.KubernetesJson.Deserialize<V1Secret>(text),
            "Pod" => text => k8s.KubernetesJson.Deserialize<V1Pod>(text),
            _ => null,
        };
        if (read is null)
        {
            problem($"kind {json["kind"]} is not one we build");
            return;
        }

        JsonNode? roundTrip;
        try
        {
            roundTrip = JsonNode.Parse(k8s.KubernetesJson.Serialize(read(json.ToJsonString())));
        }
        catch (JsonException e)
        {
            problem($"does not read as a {json["kind"]}: {e.Message}");
            return;
        }

        Missing(json, roundTrip, "", problem);
    }

    private static void Missing(JsonNode? original, JsonNode? roundTrip, string path, Action<string> problem)
    {
        switch (original)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var kept = roundTrip is JsonObject o && o.TryGetPropertyValue(key, out var v) ? v : null;
                    if (kept is null && value is not null)
                    {
                        problem($"unknown field {path}.{key}");
                        continue;
                    }

                    // Free-form maps (labels, data, selectors) have no schema below them.
                    if (key is not ("labels" or "annotations" or "data" or "stringData" or "matchLabels" or "selector" or "requests" or "limits"))
                    {
                        Missing(value, kept, $"{path}.{key}", problem);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Missing(array[i], roundTrip is JsonArray r && i < r.Count ? r[i] : null, $"{path}[{i}]", problem);
                }

                break;
        }
    }

    private static void Metadata(JsonObject? metadata, string? kind, Action<string> problem)
    {
        var name = metadata?["name"]?.GetValue<string>();
        // Services and the objects whose names become label values or host names must be DNS labels (≤ 63);
        // the other kinds allow DNS-1123 subdomains (≤ 253).
        var valid = kind switch
        {
            "Service" => KubernetesNames.IsDns1035Label(name),
            "Deployment" or "Pod" => KubernetesNames.IsDns1123Label(name),
            _ => KubernetesNames.IsDns1123Subdomain(name),
        };
        if (!valid)
        {
            problem($"metadata.name '{name}' is not a valid {kind} name");
        }

        if (!KubernetesNames.IsDns1123Label(metadata?["namespace"]?.GetValue<string>()))
        {
            problem("metadata.namespace must be a DNS-1123 label");
        }

        Labels(metadata?["labels"]?.AsObject(), "metadata.labels", problem);
        if (metadata?["labels"]?["flame.privateaim.de/analysis-id"] is null)
        {
            problem("the ownership label flame.privateaim.de/analysis-id is missing");
        }
    }

    internal static void Labels(JsonObject? labels, string path, Action<string> problem)
    {
        foreach (var (key, value) in labels ?? [])
        {
            if (!KubernetesNames.IsLabelKey(key))
            {
                problem($"{path}: invalid label key '{key}'");
            }

            if (value is null || value.GetValueKind() != JsonValueKind.String || !KubernetesNames.IsLabelValue(value.GetValue<string>()))
            {
                problem($"{path}: invalid label value for '{key}'");
            }
        }
    }

    private static void Deployment(JsonObject json, Action<string> problem)
    {
        var spec = json["spec"]?.AsObject();
        var matchLabels = spec?["selector"]?["matchLabels"]?.AsObject();
        var templateLabels = spec?["template"]?["metadata"]?["labels"]?.AsObject();
        Labels(matchLabels, "spec.selector.matchLabels", problem);
        Labels(templateLabels, "spec.template.metadata.labels", problem);
        if (matchLabels is null || matchLabels.Count == 0 || !IsSubset(matchLabels, templateLabels))
        {
            problem("spec.selector.matchLabels must be a non-empty subset of spec.template.metadata.labels");
        }

        PodSecurity(spec?["template"]?["spec"]?.AsObject(), problem);
    }

    internal static void PodSecurity(JsonObject? pod, Action<string> problem)
    {
        if (pod is null)
        {
            problem("spec.template.spec is missing");
            return;
        }

        var podContext = pod["securityContext"]?.AsObject();
        if (pod["automountServiceAccountToken"]?.GetValue<bool>() != false)
        {
            problem("automountServiceAccountToken must be false");
        }

        if (pod["enableServiceLinks"]?.GetValue<bool>() != false)
        {
            problem("enableServiceLinks must be false");
        }

        if (pod["restartPolicy"]?.GetValue<string>() is { } restart && restart != "Always")
        {
            problem("a Deployment's pods must have restartPolicy Always");
        }

        foreach (var host in new[] { "hostNetwork", "hostPID", "hostIPC" })
        {
            if (pod[host]?.GetValue<bool>() == true)
            {
                problem($"{host} is not allowed");
            }
        }

        var podUser = podContext?["runAsUser"]?.GetValue<long>();
        if (podUser == 0)
        {
            problem("pod runAsUser must not be 0");
        }

        foreach (var volume in pod["volumes"]?.AsArray() ?? [])
        {
            var types = volume!.AsObject().Select(p => p.Key).Where(k => k != "name").ToList();
            if (types.Count != 1 || !AllowedVolumeTypes.Contains(types[0]))
            {
                problem($"volume {volume["name"]} must be one of the restricted volume types");
            }
        }

        var containers = pod["containers"]?.AsArray() ?? [];
        if (containers.Count == 0)
        {
            problem("at least one container is required");
        }

        foreach (var container in containers.Select(c => c!.AsObject()))
        {
            var name = container["name"]?.GetValue<string>();
            void ContainerProblem(string text) => problem($"container {name}: {text}");
            if (!KubernetesNames.IsDns1123Label(name))
            {
                ContainerProblem("name must be a DNS-1123 label");
            }

            if (string.IsNullOrWhiteSpace(container["image"]?.GetValue<string>()))
            {
                ContainerProblem("image is required");
            }

            var context = container["securityContext"]?.AsObject();
            if (context?["allowPrivilegeEscalation"]?.GetValue<bool>() != false)
            {
                ContainerProblem("allowPrivilegeEscalation must be false");
            }

            if (context?["privileged"]?.GetValue<bool>() == true)
            {
                ContainerProblem("privileged is not allowed");
            }

            if ((context?["runAsNonRoot"] ?? podContext?["runAsNonRoot"])?.GetValue<bool>() != true)
            {
                ContainerProblem("runAsNonRoot must be true (pod or container)");
            }

            if (context?["runAsUser"]?.GetValue<long>() == 0)
            {
                ContainerProblem("runAsUser must not be 0");
            }

            var seccomp = (context?["seccompProfile"] ?? podContext?["seccompProfile"])?["type"]?.GetValue<string>();
            if (seccomp is not ("RuntimeDefault" or "Localhost"))
            {
                ContainerProblem("seccompProfile.type must be RuntimeDefault or Localhost (pod or container)");
            }

            var drop = context?["capabilities"]?["drop"]?.AsArray().Select(d => d!.GetValue<string>()) ?? [];
            if (!drop.Contains("ALL"))
            {
                ContainerProblem("capabilities.drop must contain ALL");
            }

            var add = context?["capabilities"]?["add"]?.AsArray().Select(d => d!.GetValue<string>()) ?? [];
            if (add.Any(a => a != "NET_BIND_SERVICE"))
            {
                ContainerProblem("only NET_BIND_SERVICE may be added");
            }

            foreach (var kind in new[] { "requests", "limits" })
            {
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    if (container["resources"]?[kind]?[resource] is null)
                    {
                        ContainerProblem($"resources.{kind}.{resource} is required");
                    }
                }
            }

            foreach (var env in container["env"]?.AsArray() ?? [])
            {
                if (SecretEnvNames.Contains(env!["name"]?.GetValue<string>()) && env["value"] is not null)
                {
                    ContainerProblem($"{env["name"]} must come from a secretKeyRef, never a plain value");
                }
            }
        }
    }

    private static void ServiceSelector(JsonObject json, List<JsonObject> all, Action<string> problem)
    {
        var selector = json["spec"]?["selector"]?.AsObject();
        if (selector is null || selector.Count == 0 || !Templates(all).Any(t => IsSubset(selector, t)))
        {
            problem("spec.selector must select the pods of a built Deployment");
        }
    }

    private static void PolicySelector(JsonObject json, List<JsonObject> all, Action<string> problem)
    {
        var selector = json["spec"]?["podSelector"]?["matchLabels"]?.AsObject();
        if (selector is null || selector.Count == 0 || !Templates(all).Any(t => IsSubset(selector, t)))
        {
            problem("spec.podSelector must select the pods of a built Deployment");
        }

        foreach (var rule in (json["spec"]?["egress"]?.AsArray() ?? []).Concat(json["spec"]?["ingress"]?.AsArray() ?? []))
        {
            foreach (var port in rule?["ports"]?.AsArray() ?? [])
            {
                if (port?["port"]?.GetValue<int>() == 53 && rule!["to"]?[0]?["podSelector"]?["matchLabels"]?["k8s-app"]?.GetValue<string>() != "kube-dns")
                {
                    problem("port 53 may only be opened towards kube-dns");
                }
            }
        }
    }

    private static void Secret(JsonObject json, Action<string> problem)
    {
        foreach (var (key, value) in json["data"]?.AsObject() ?? [])
        {
            try
            {
                Convert.FromBase64String(value!.GetValue<string>());
            }
            catch (FormatException)
            {
                problem($"data.{key} is not base64");
            }
        }

        if (json["type"]?.GetValue<string>() == "kubernetes.io/dockerconfigjson")
        {
            try
            {
                var config = JsonNode.Parse(Convert.FromBase64String(json["data"]![".dockerconfigjson"]!.GetValue<string>()));
                if (config?["auths"] is not JsonObject { Count: > 0 })
                {
                    problem(".dockerconfigjson must contain auths");
                }
            }
            catch (Exception e) when (e is FormatException or JsonException or NullReferenceException)
            {
                problem("data[.dockerconfigjson] must be base64 of a docker config JSON");
            }
        }
    }

    private static IEnumerable<JsonObject> Templates(List<JsonObject> all) =>
        all.Where(o => o["kind"]?.GetValue<string>() == "Deployment")
            .Select(o => o["spec"]?["template"]?["metadata"]?["labels"]?.AsObject())
            .OfType<JsonObject>();

    private static bool IsSubset(JsonObject subset, JsonObject? labels) =>
        labels is not null && subset.All(p => labels[p.Key]?.GetValue<string>() is { } v && v == p.Value?.GetValue<string>());
}
