using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// <c>deployments/{name}/scale</c>, as the apiserver serves it: an <c>autoscaling/v1</c> Scale whose spec.replicas is the
/// deployment's and whose status carries the observed replicas and the selector in its string form. PUT and PATCH
/// (merge, JSON or strategic) change only the deployment's spec.replicas. kubectl scale merge-patches it.
/// </summary>
public sealed class ScaleSubresource(ApiCore api)
{
    public JsonObject Get(ResourceKind kind, string? ns, string name) => ScaleOf(api.Get(kind, ns, name));

    public JsonObject Replace(ResourceKind kind, string? ns, string name, JsonObject scale) => Apply(kind, ns, name, _ => scale);

    public JsonObject Patch(ResourceKind kind, string? ns, string name, string contentType, JsonNode? patch) =>
        Apply(kind, ns, name, current => (contentType.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "application/merge-patch+json" => Patches.MergePatch(current, patch),
            "application/strategic-merge-patch+json" => Patches.StrategicMerge(current, patch),
            "application/json-patch+json" => Patches.JsonPatch(current, patch as JsonArray ?? throw ApiException.BadRequest("json patch must be an array")),
            _ => throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"),
        }) as JsonObject ?? throw ApiException.BadRequest("patch must produce an object"));

    private JsonObject Apply(ResourceKind kind, string? ns, string name, Func<JsonObject, JsonObject> change)
    {
        var updated = api.Write(kind, ns, name, deployment =>
        {
            var scale = change(ScaleOf(deployment));
            if (scale.Str("metadata", "name") is { } scaleName && scaleName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({scaleName}) does not match the name on the URL ({name})");
            }

            var replicas = scale.Num("spec", "replicas") ?? 0;
            if (replicas is < 0 or > int.MaxValue)
            {
                throw new ApiException(422, "Invalid", $"Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0");
            }

            deployment.Obj("metadata")["resourceVersion"] = scale.Str("metadata", "resourceVersion");
            deployment.Obj("spec")["replicas"] = (int)replicas;
            return deployment;
        });
        return ScaleOf(updated);
    }

    private static JsonObject ScaleOf(JsonObject deployment)
    {
        var metadata = new JsonObject();
        foreach (var key in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (deployment.At("metadata", key) is { } value)
            {
                metadata[key] = value.DeepClone();
            }
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = deployment.Num("spec", "replicas") ?? 1 },
            ["status"] = new JsonObject { ["replicas"] = deployment.Num("status", "replicas") ?? 0, ["selector"] = Selector(deployment.At("spec", "selector")) },
        };
    }

    /// <summary>A label selector in the string form <c>metav1.FormatLabelSelector</c> writes.</summary>
    private static string Selector(JsonNode? selector)
    {
        var parts = selector.At("matchLabels").StringMap().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}").ToList();
        foreach (var requirement in selector.At("matchExpressions").Objects())
        {
            var key = requirement.Str("key");
            var values = requirement.At("values") is JsonArray list ? string.Join(",", list.Select(v => v?.GetValue<string>())) : "";
            parts.Add(requirement.Str("operator") switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "Exists" => key!,
                "DoesNotExist" => $"!{key}",
                var op => $"{key} {op} ({values})",
            });
        }

        return string.Join(",", parts);
    }
}
