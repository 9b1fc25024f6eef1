using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Support;

/// <summary>Small helpers over <see cref="JsonNode"/> trees: objects are stored as JSON so that unknown fields survive.</summary>
public static class JsonPath
{
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Go's encoding/json escapes quotes as <c>\"</c>, not <c>\u0022</c>; messages must read the same on the wire.</summary>
    public static readonly JsonSerializerOptions Wire = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonNode? At(this JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    public static string? Str(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    public static long? Num(this JsonNode? node, params string[] path)
    {
        if (node.At(path) is not JsonValue value)
        {
            return null;
        }

        // Values built in-process keep their CLR type (int), values parsed from the wire are JsonElements.
        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        return value.TryGetValue<double>(out var d) ? (long)d : null;
    }

    public static bool? Bool(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue value && value.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>Returns the object at <paramref name="path"/>, creating empty objects on the way.</summary>
    public static JsonObject Obj(this JsonObject node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            if (current[segment] is not JsonObject next)
            {
                next = [];
                current[segment] = next;
            }

            current = next;
        }

        return current;
    }

    public static JsonArray Arr(this JsonObject node, string name)
    {
        if (node[name] is not JsonArray array)
        {
            array = [];
            node[name] = array;
        }

        return array;
    }

    public static IEnumerable<JsonObject> Objects(this JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonObject>() : [];

    public static JsonObject CloneObject(this JsonObject node) => (JsonObject)node.DeepClone();

    public static Dictionary<string, string> StringMap(this JsonNode? node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    map[key] = s;
                }
            }
        }

        return map;
    }

    public static string Compact(this JsonNode node) => node.ToJsonString(Wire);
}
