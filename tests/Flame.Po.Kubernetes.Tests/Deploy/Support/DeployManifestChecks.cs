using System.Text.Json.Nodes;

using Flame.Po.Core;
using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Workloads;

namespace Flame.Po.Kubernetes.Tests.Deploy.Support;

/// <summary>
/// What kubernetes-models cannot check on the PO's own manifests (deploy/): Pod Security "restricted" and our
/// hardening (shared with the analysis manifests), the Dapr annotations of each app, the compatibility labels
/// (docs/compatibility.md#rule-operations), probes, secrets only by reference, and every setting documented in
/// .env.template. Returns one message per problem.
/// </summary>
internal static class DeployManifestChecks
{
    public static readonly string[] AppIds = [Core.AppIds.Api, Core.AppIds.Lifecycle, Core.AppIds.Logging];

    private static readonly string[] RequiredDaprAnnotations =
    [
        "dapr.io/enabled", "dapr.io/app-id", "dapr.io/app-port", "dapr.io/config", "dapr.io/log-as-json",
        "dapr.io/sidecar-cpu-request", "dapr.io/sidecar-cpu-limit", "dapr.io/sidecar-memory-request", "dapr.io/sidecar-memory-limit",
        "dapr.io/api-token-secret", "dapr.io/app-token-secret",
    ];

    public static IReadOnlyList<string> Check(IReadOnlyList<JsonObject> objects, IReadOnlySet<string> documentedSettings)
    {
        var problems = new List<string>();
        var namespaces = objects.Where(o => Kind(o) == "Namespace").ToList();
        if (namespaces.Count != 1)
        {
            problems.Add($"exactly one Namespace expected, found {namespaces.Count}");
        }

        var ns = namespaces.FirstOrDefault()?["metadata"]?["name"]?.GetValue<string>();
        foreach (var o in objects)
        {
            var where = $"{Kind(o)}/{Name(o)}";
            void Problem(string text) => problems.Add($"{where}: {text}");
            if (!KubernetesNames.IsDns1123Subdomain(Name(o)))
            {
                Problem("metadata.name is not a DNS-1123 subdomain");
            }

            if (Kind(o) != "Namespace" && o["metadata"]?["namespace"]?.GetValue<string>() != ns)
            {
                Problem($"must be in the namespace {ns}");
            }

            StrictManifestChecks.Labels(o["metadata"]?["labels"]?.AsObject(), "metadata.labels", Problem);
            switch (Kind(o))
            {
                case "Namespace":
                    PodSecurityLabels(o, Problem);
                    break;
                case "Deployment":
                    Deployment(o, objects, documentedSettings, Problem);
                    break;
                case "Service":
                    Service(o, objects, Problem);
                    break;
                case "NetworkPolicy":
                    NetworkPolicy(o, objects, Problem);
                    break;
                case "ConfigMap":
                    foreach (var (key, _) in o["data"]?.AsObject() ?? [])
                    {
                        if (IsSecretName(key))
                        {
                            Problem($"{key} looks like a secret and must live in a Secret");
                        }

                        if (!documentedSettings.Contains(key))
                        {
                            Problem($"{key} is not documented in .env.template");
                        }
                    }

                    break;
            }
        }

        return problems;
    }

    /// <summary>The variables named in .env.template (<c>NAME=</c> lines).</summary>
    public static IReadOnlySet<string> DocumentedSettings() =>
        File.ReadLines(Path.Combine(RepositoryPaths.Root, ".env.template"))
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.Ordinal);

    public static string Kind(JsonObject o) => o["kind"]?.GetValue<string>() ?? "";

    public static string Name(JsonObject o) => o["metadata"]?["name"]?.GetValue<string>() ?? "";

    public static IEnumerable<JsonObject> OfKind(IEnumerable<JsonObject> objects, string kind) => objects.Where(o => Kind(o) == kind);

    private static bool IsSecretName(string name) =>
        name.Contains("PASSWORD", StringComparison.Ordinal) || name.Contains("SECRET", StringComparison.Ordinal)
        || name.Contains("TOKEN", StringComparison.Ordinal) || name.EndsWith("_PW", StringComparison.Ordinal);

    private static void PodSecurityLabels(JsonObject ns, Action<string> problem)
    {
        var labels = ns["metadata"]?["labels"];
        foreach (var mode in new[] { "enforce", "audit", "warn" })
        {
            if (labels?[$"pod-security.kubernetes.io/{mode}"]?.GetValue<string>() != "restricted")
            {
                problem($"label pod-security.kubernetes.io/{mode} must be restricted");
            }
        }
    }

    private static void Deployment(JsonObject deployment, IReadOnlyList<JsonObject> all, IReadOnlySet<string> documentedSettings, Action<string> problem)
    {
        var spec = deployment["spec"]?.AsObject();
        var template = spec?["template"]?.AsObject();
        var labels = template?["metadata"]?["labels"]?.AsObject();
        var selector = spec?["selector"]?["matchLabels"]?.AsObject();
        StrictManifestChecks.Labels(labels, "spec.template.metadata.labels", problem);
        if (selector is null || selector.Count == 0 || !IsSubset(selector, labels))
        {
            problem("spec.selector.matchLabels must be a non-empty subset of the template labels");
        }

        if (labels?["component"]?.GetValue<string>() != "flame-po")
        {
            problem("the pods must carry component=flame-po (docs/compatibility.md#rule-operations)");
        }

        var pod = template?["spec"]?.AsObject();
        StrictManifestChecks.PodSecurity(pod, problem);
        var annotations = template?["metadata"]?["annotations"]?.AsObject();
        foreach (var key in RequiredDaprAnnotations.Where(k => annotations?[k] is null))
        {
            problem($"annotation {key} is missing");
        }

        var appId = annotations?["dapr.io/app-id"]?.GetValue<string>();
        if (!AppIds.Contains(appId))
        {
            problem($"dapr.io/app-id '{appId}' is not one of {string.Join(", ", AppIds)}");
        }

        if (annotations?["dapr.io/enabled"]?.GetValue<string>() != "true" || annotations?["dapr.io/log-as-json"]?.GetValue<string>() != "true")
        {
            problem("dapr.io/enabled and dapr.io/log-as-json must be \"true\"");
        }

        var config = annotations?["dapr.io/config"]?.GetValue<string>();
        if (!OfKind(all, "Configuration").Any(c => Name(c) == config))
        {
            problem($"dapr.io/config names no rendered Configuration: '{config}'");
        }

        var account = pod?["serviceAccountName"]?.GetValue<string>();
        if (!OfKind(all, "ServiceAccount").Any(a => Name(a) == account))
        {
            problem($"serviceAccountName '{account}' is not rendered");
        }

        foreach (var container in pod?["containers"]?.AsArray().Select(c => c!.AsObject()) ?? [])
        {
            Container(container, appId, annotations, documentedSettings, problem);
        }
    }

    private static void Container(JsonObject container, string? appId, JsonObject? annotations, IReadOnlySet<string> documentedSettings, Action<string> problem)
    {
        var args = container["args"]?.AsArray().Select(a => a!.GetValue<string>()).ToList() ?? [];
        if (!args.SequenceEqual(["--target", appId ?? ""]))
        {
            problem($"container args must be --target {appId}");
        }

        var port = container["ports"]?.AsArray().SingleOrDefault(p => p?["name"]?.GetValue<string>() == "http")?["containerPort"]?.GetValue<long>();
        if (port is null || annotations?["dapr.io/app-port"]?.GetValue<string>() != port.ToString())
        {
            problem("dapr.io/app-port must be the container's port named http");
        }

        if (container["securityContext"]?["readOnlyRootFilesystem"]?.GetValue<bool>() != true)
        {
            problem("readOnlyRootFilesystem must be true");
        }

        Probe(container["livenessProbe"], "/po/healthz", "livenessProbe", problem);
        Probe(container["readinessProbe"], "/readyz", "readinessProbe", problem);
        foreach (var env in container["env"]?.AsArray().Select(e => e!.AsObject()) ?? [])
        {
            var name = env["name"]!.GetValue<string>();
            if (!documentedSettings.Contains(name))
            {
                problem($"env {name} is not documented in .env.template");
            }

            if (IsSecretName(name) && env["valueFrom"]?["secretKeyRef"] is null)
            {
                problem($"env {name} must come from a secretKeyRef");
            }
        }
    }

    private static void Probe(JsonNode? probe, string path, string what, Action<string> problem)
    {
        if (probe?["httpGet"]?["path"]?.GetValue<string>() != path || probe["httpGet"]?["port"]?.ToString() != "http")
        {
            problem($"{what} must GET {path} on the port named http");
        }
    }

    private static void Service(JsonObject service, IReadOnlyList<JsonObject> all, Action<string> problem)
    {
        if (service["metadata"]?["labels"]?["component"]?.GetValue<string>() != "flame-po")
        {
            problem("the PO Service must carry component=flame-po (docs/compatibility.md#rule-operations)");
        }

        var selector = service["spec"]?["selector"]?.AsObject();
        var selected = Templates(all).Where(t => selector is { Count: > 0 } && IsSubset(selector, t.Labels)).ToList();
        if (selected.Count != 1 || selected[0].AppId != Core.AppIds.Api)
        {
            problem("spec.selector must select the api pods and nothing else");
        }

        if (service["spec"]?["ports"]?.AsArray().Any(p => p?["port"]?.GetValue<long>() == 8000) != true)
        {
            problem("the PO Service must listen on port 8000 (docs/compatibility.md#node-services)");
        }
    }

    private static void NetworkPolicy(JsonObject policy, IReadOnlyList<JsonObject> all, Action<string> problem)
    {
        var selector = policy["spec"]?["podSelector"]?["matchLabels"]?.AsObject();
        var selected = Templates(all).Where(t => selector is { Count: > 0 } && IsSubset(selector, t.Labels)).Select(t => t.AppId).Order(StringComparer.Ordinal).ToList();
        if (!selected.SequenceEqual(AppIds.Order(StringComparer.Ordinal)))
        {
            problem("spec.podSelector must select the pods of all three PO apps");
        }

        var ports = policy["spec"]?["ingress"]?.AsArray().SelectMany(r => r?["ports"]?.AsArray() ?? []).Select(p => p?["port"]?.GetValue<long>()).ToList() ?? [];
        if (!ports.Contains(8000))
        {
            problem("ingress must admit the /po API on port 8000");
        }
    }

    private static IEnumerable<(string? AppId, JsonObject? Labels)> Templates(IEnumerable<JsonObject> all) =>
        OfKind(all, "Deployment").Select(d => (
            d["spec"]?["template"]?["metadata"]?["annotations"]?["dapr.io/app-id"]?.GetValue<string>(),
            d["spec"]?["template"]?["metadata"]?["labels"]?.AsObject()));

    private static bool IsSubset(JsonObject subset, JsonObject? labels) =>
        labels is not null && subset.All(p => labels[p.Key]?.GetValue<string>() is { } v && v == p.Value?.GetValue<string>());
}
