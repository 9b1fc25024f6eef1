using System.Globalization;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Kubernetes.Schema;

/// <summary>
/// Finds and drops the fields an object's type does not declare, as the apiserver's decoder does: into a typed
/// struct, unknown fields are lost (and reported when field validation is Warn or Strict). Paths are written the way
/// its strict decoder writes them, e.g. <c>spec.template.spec.containers[0].imagee</c>.
/// </summary>
public static class UnknownFields
{
    /// <summary>Removes the undeclared fields of <paramref name="obj"/> and returns their paths, in document order.</summary>
    public static List<string> Prune(JsonObject obj, Type type)
    {
        var unknown = new List<string>();
        Walk(obj, type, "", unknown);
        return unknown;
    }

    private static void Walk(JsonNode? node, Type type, string path, List<string> unknown)
    {
        switch (node)
        {
            case JsonObject obj when ModelTypes.IsObject(type):
                var fields = ModelTypes.Fields(type);
                foreach (var (name, value) in obj.ToList())
                {
                    var fieldPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (!fields.TryGetValue(name, out var fieldType))
                    {
                        unknown.Add(fieldPath);
                        obj.Remove(name);
                        continue;
                    }

                    Walk(value, fieldType, fieldPath, unknown);
                }

                break;
            case JsonArray array when ModelTypes.ListElement(type) is { } element:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], element, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), unknown);
                }

                break;
            case JsonObject map when ModelTypes.MapValue(type) is { } value:
                foreach (var (key, item) in map)
                {
                    Walk(item, value, $"{path}.{key}", unknown);
                }

                break;
            default:
                break;
        }
    }
}
