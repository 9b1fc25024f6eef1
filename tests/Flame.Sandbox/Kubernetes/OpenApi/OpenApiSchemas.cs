using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Flame.Sandbox.Kubernetes.Schema;

using k8s.Models;

namespace Flame.Sandbox.Kubernetes.OpenApi;

/// <summary>
/// The <c>components.schemas</c> of a group-version's OpenAPI v3 document: every object type reachable from its kinds,
/// named as the apiserver names them (<c>io.k8s.api.apps.v1.Deployment</c>), with the fields <see cref="ModelTypes"/>
/// declares and, on lists, the strategic-merge metadata the sandbox's patcher honours.
/// </summary>
public static partial class OpenApiSchemas
{
    public const string PatchSchema = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

    private const string Meta = "io.k8s.apimachinery.pkg.apis.meta.v1";

    private static readonly HashSet<string> MetaTypes = new(StringComparer.Ordinal)
    {
        "ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference", "ManagedFieldsEntry", "Status",
        "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions", "Condition", "WatchEvent",
    };

    [GeneratedRegex("^(?<group>[A-Z][a-z]+)?(?<version>[Vv][0-9]+(?:alpha[0-9]+|beta[0-9]+)?)(?<name>[A-Z].*)$")]
    private static partial Regex ModelName();

    /// <summary>The schemas for <paramref name="kinds"/>, their lists (and Scale), DeleteOptions, Status and Patch.</summary>
    public static JsonObject For(IReadOnlyList<ResourceKind> kinds)
    {
        var schemas = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal)
        {
            [PatchSchema] = new JsonObject
            {
                ["description"] = "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
                ["type"] = "object",
            },
        };
        foreach (var kind in kinds)
        {
            var type = ModelTypes.For(kind);
            var listType = type.Assembly.GetType(type.FullName + "List") ?? throw new InvalidOperationException($"no list model for {type.Name}");
            Add(schemas, type, kind);
            Add(schemas, listType, kind with { Kind = kind.ListKind });
        }

        if (kinds.Any(k => k.Subresources.Contains("scale")))
        {
            Add(schemas, typeof(V1Scale), new ResourceKind("autoscaling", "v1", "scale", "scale", "Scale", true, [], []));
        }

        Add(schemas, typeof(V1DeleteOptions), null);
        Add(schemas, typeof(V1Status), null);
        return new JsonObject(schemas.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value)));
    }

    public static string Name(Type type)
    {
        if (type == typeof(IntOrString))
        {
            return "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
        }

        if (type == typeof(ResourceQuantity))
        {
            return "io.k8s.apimachinery.pkg.api.resource.Quantity";
        }

        var match = ModelName().Match(type.Name);
        var name = match.Success ? match.Groups["name"].Value : type.Name;
        var version = match.Success ? match.Groups["version"].Value.ToLowerInvariant() : "v1";
        if (MetaTypes.Contains(name))
        {
            return $"{Meta}.{name}";
        }

        var group = match.Groups["group"].Success ? match.Groups["group"].Value.ToLowerInvariant()
            : name.StartsWith("Deployment", StringComparison.Ordinal) || name == "RollingUpdateDeployment" ? "apps"
            : name.StartsWith("NetworkPolicy", StringComparison.Ordinal) || name == "IPBlock" ? "networking"
            : name.StartsWith("Scale", StringComparison.Ordinal) ? "autoscaling"
            : "core";
        return $"io.k8s.api.{group}.{version}.{name}";
    }

    public static JsonObject Ref(Type type) => new() { ["$ref"] = $"#/components/schemas/{Name(type)}" };

    private static void Add(SortedDictionary<string, JsonNode> schemas, Type type, ResourceKind? gvk)
    {
        var name = Name(type);
        if (schemas.ContainsKey(name))
        {
            return;
        }

        var schema = new JsonObject();
        schemas[name] = schema;
        if (type == typeof(IntOrString))
        {
            schema["type"] = "string";
            schema["format"] = "int-or-string";
            return;
        }

        if (type == typeof(ResourceQuantity))
        {
            schema["type"] = "string";
            return;
        }

        schema["type"] = "object";
        var properties = new JsonObject();
        foreach (var (field, fieldType) in ModelTypes.Fields(type))
        {
            properties[field] = Property(schemas, field, fieldType);
        }

        schema["properties"] = properties;
        if (gvk is not null)
        {
            schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = gvk.Group, ["kind"] = gvk.Kind, ["version"] = gvk.Version });
        }
    }

    private static JsonObject Property(SortedDictionary<string, JsonNode> schemas, string field, Type type)
    {
        if (ModelTypes.ListElement(type) is { } element)
        {
            var list = new JsonObject { ["type"] = "array", ["items"] = Property(schemas, field, element) };
            if (Patches.MergeKeyOf(field) is { } mergeKey)
            {
                list["x-kubernetes-patch-strategy"] = "merge";
                if (mergeKey.Length > 0)
                {
                    list["x-kubernetes-patch-merge-key"] = mergeKey;
                }
            }

            return list;
        }

        if (ModelTypes.MapValue(type) is { } value)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = Property(schemas, field, value) };
        }

        if (ModelTypes.IsObject(type) || type == typeof(IntOrString) || type == typeof(ResourceQuantity))
        {
            Add(schemas, type, null);
            return Ref(type);
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.String => new JsonObject { ["type"] = "string" },
            TypeCode.Boolean => new JsonObject { ["type"] = "boolean" },
            TypeCode.Int32 => new JsonObject { ["type"] = "integer", ["format"] = "int32" },
            TypeCode.Int64 => new JsonObject { ["type"] = "integer", ["format"] = "int64" },
            TypeCode.Double or TypeCode.Single => new JsonObject { ["type"] = "number", ["format"] = "double" },
            TypeCode.DateTime => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            _ when type == typeof(byte[]) => new JsonObject { ["type"] = "string", ["format"] = "byte" },
            _ => new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
        };
    }
}
