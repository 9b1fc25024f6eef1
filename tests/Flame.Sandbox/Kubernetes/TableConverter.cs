using System.Globalization;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// Server-side printing (<c>Accept: application/json;as=Table;g=meta.k8s.io;v=v1</c>), which kubectl get asks for:
/// the apiserver, not kubectl, decides the columns.
/// </summary>
public static class TableConverter
{
    public static bool Wants(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("as=Table", StringComparison.Ordinal));

    public static JsonObject Convert(ResourceKind kind, IEnumerable<JsonObject> items, string resourceVersion, string? continueToken, DateTimeOffset now)
    {
        var columns = new List<(string Name, string Type, string Format)> { ("Name", "string", "name") };
        columns.AddRange(kind.Plural switch
        {
            "pods" => [("Ready", "string", ""), ("Status", "string", ""), ("Restarts", "string", ""), ("Age", "string", ""), ("IP", "string", ""), ("Node", "string", "")],
            "deployments" => [("Ready", "string", ""), ("Up-to-date", "string", ""), ("Available", "string", ""), ("Age", "string", "")],
            "services" => [("Type", "string", ""), ("Cluster-IP", "string", ""), ("External-IP", "string", ""), ("Port(s)", "string", ""), ("Age", "string", "")],
            "namespaces" => [("Status", "string", ""), ("Age", "string", "")],
            _ => new List<(string, string, string)> { ("Age", "string", "") },
        });
        var meta = new JsonObject { ["resourceVersion"] = resourceVersion };
        if (!string.IsNullOrEmpty(continueToken))
        {
            meta["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = meta,
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = "",
                ["priority"] = c.Name is "IP" or "Node" ? 1 : 0,
            }).ToArray()),
            ["rows"] = new JsonArray(items.Select(o => (JsonNode)new JsonObject
            {
                ["cells"] = new JsonArray(Cells(kind, o, now).ToArray()),
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = o["metadata"]?.DeepClone(),
                },
            }).ToArray()),
        };
    }

    private static IEnumerable<JsonNode?> Cells(ResourceKind kind, JsonObject o, DateTimeOffset now)
    {
        yield return o.Str("metadata", "name");
        var age = Age(o.Str("metadata", "creationTimestamp"), now);
        switch (kind.Plural)
        {
            case "pods":
                var statuses = o.At("status", "containerStatuses").Objects().ToList();
                var total = o.At("spec", "containers").Objects().Count();
                yield return $"{statuses.Count(s => s.Bool("ready") == true)}/{total}";
                yield return PodStatus(o, statuses);
                yield return statuses.Sum(s => s.Num("restartCount") ?? 0).ToString(CultureInfo.InvariantCulture);
                yield return age;
                yield return o.Str("status", "podIP") ?? "<none>";
                yield return o.Str("spec", "nodeName") ?? "<none>";
                break;
            case "deployments":
                yield return $"{o.Num("status", "readyReplicas") ?? 0}/{o.Num("spec", "replicas") ?? 0}";
                yield return o.Num("status", "updatedReplicas") ?? 0;
                yield return o.Num("status", "availableReplicas") ?? 0;
                yield return age;
                break;
            case "services":
                yield return o.Str("spec", "type");
                yield return o.Str("spec", "clusterIP");
                yield return "<none>";
                yield return string.Join(',', o.At("spec", "ports").Objects().Select(p => $"{p.Num("port")}/{p.Str("protocol") ?? "TCP"}"));
                yield return age;
                break;
            case "namespaces":
                yield return o.Str("status", "phase");
                yield return age;
                break;
            default:
                yield return age;
                break;
        }
    }

    private static string PodStatus(JsonObject pod, List<JsonObject> statuses)
    {
        if (pod.Str("metadata", "deletionTimestamp") is not null)
        {
            return "Terminating";
        }

        foreach (var s in statuses)
        {
            if (s.Str("state", "waiting", "reason") is { } waiting)
            {
                return waiting;
            }

            if (s.Str("state", "terminated", "reason") is { } terminated)
            {
                return terminated;
            }
        }

        return pod.Str("status", "reason") ?? pod.Str("status", "phase") ?? "Unknown";
    }

    public static string Age(string? timestamp, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }

        var age = now - created;
        return age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
