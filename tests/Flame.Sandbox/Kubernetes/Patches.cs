using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>The patch kinds a client can send: JSON merge (RFC 7386), JSON patch (RFC 6902) and strategic merge.</summary>
public static class Patches
{
    /// <summary>List fields that strategic merge patch merges by a key instead of replacing.</summary>
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["imagePullSecrets"] = "name",
        ["ownerReferences"] = "uid",
        ["conditions"] = "type",
        ["containerStatuses"] = "name",
        ["finalizers"] = "",
    };

    /// <summary>The merge key of a list field strategic merge patch merges ("" for a set of scalars), or null if it replaces the list.</summary>
    public static string? MergeKeyOf(string field) => MergeKeys.TryGetValue(field, out var key) ? key : null;

    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObj)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject is { } t ? t.CloneObject() : [];
        foreach (var (key, value) in patchObj)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key], value);
            }
        }

        return result;
    }

    public static JsonNode? StrategicMerge(JsonNode? target, JsonNode? patch, string? field = null)
    {
        if (patch is JsonArray patchList && field is not null && MergeKeys.TryGetValue(field, out var mergeKey))
        {
            return MergeList(target as JsonArray, patchList, mergeKey, field);
        }

        if (patch is not JsonObject patchObj)
        {
            return patch?.DeepClone();
        }

        if (patchObj.Str("$patch") == "replace")
        {
            var replaced = patchObj.CloneObject();
            replaced.Remove("$patch");
            return replaced;
        }

        var result = target as JsonObject is { } t ? t.CloneObject() : [];
        foreach (var (key, value) in patchObj)
        {
            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal) || key.StartsWith("$retainKeys", StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var listName = key["$deleteFromPrimitiveList/".Length..];
                if (result[listName] is JsonArray existing && value is JsonArray remove)
                {
                    var drop = remove.Select(v => v?.ToJsonString()).ToHashSet();
                    result[listName] = new JsonArray(existing.Where(e => !drop.Contains(e?.ToJsonString())).Select(e => e?.DeepClone()).ToArray());
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonObject { } vo && vo.Str("$patch") == "delete")
            {
                result.Remove(key);
            }
            else
            {
                result[key] = StrategicMerge(result[key], value, key);
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray? target, JsonArray patch, string mergeKey, string field)
    {
        var result = new JsonArray((target ?? []).Select(e => e?.DeepClone()).ToArray());
        if (mergeKey.Length == 0)
        {
            foreach (var item in patch)
            {
                if (!result.Any(e => JsonNode.DeepEquals(e, item)))
                {
                    result.Add(item?.DeepClone());
                }
            }

            return result;
        }

        foreach (var item in patch.OfType<JsonObject>())
        {
            var key = item[mergeKey]?.ToJsonString();
            var existing = result.OfType<JsonObject>().FirstOrDefault(e => e[mergeKey]?.ToJsonString() == key);
            var directive = item.Str("$patch");
            if (directive == "delete")
            {
                if (existing is not null)
                {
                    result.Remove(existing);
                }

                continue;
            }

            if (existing is null)
            {
                var added = item.CloneObject();
                added.Remove("$patch");
                result.Add(added);
            }
            else
            {
                var index = result.IndexOf(existing);
                result[index] = StrategicMerge(existing, item, field + "[]");
            }
        }

        return result;
    }

    public static JsonNode? JsonPatch(JsonNode? target, JsonArray operations)
    {
        var doc = target?.DeepClone();
        foreach (var op in operations.OfType<JsonObject>())
        {
            var path = op.Str("path") ?? throw ApiException.BadRequest("json patch operation has no path");
            switch (op.Str("op"))
            {
                case "add":
                    doc = Add(doc, Pointer(path), op["value"]?.DeepClone());
                    break;
                case "replace":
                    _ = Resolve(doc, Pointer(path)) ?? throw Missing(path);
                    doc = Add(doc, Pointer(path), op["value"]?.DeepClone(), replace: true);
                    break;
                case "remove":
                    Remove(doc, Pointer(path), path);
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(doc, Pointer(path)), op["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                case "move":
                case "copy":
                    var from = op.Str("from") ?? throw ApiException.BadRequest("json patch operation has no from");
                    var value = Resolve(doc, Pointer(from))?.DeepClone() ?? throw Missing(from);
                    if (op.Str("op") == "move")
                    {
                        Remove(doc, Pointer(from), from);
                    }

                    doc = Add(doc, Pointer(path), value);
                    break;
                default:
                    throw ApiException.BadRequest($"Unexpected kind: {op.Str("op")}");
            }
        }

        return doc;
    }

    private static ApiException Missing(string path) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: replace operation does not apply: doc is missing path: \"{path}\": missing value");

    private static string[] Pointer(string path) =>
        path.Length == 0 ? [] : path[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static JsonNode? Resolve(JsonNode? doc, string[] segments)
    {
        var current = doc;
        foreach (var s in segments)
        {
            current = current switch
            {
                JsonObject o => o[s],
                JsonArray a when int.TryParse(s, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
        }

        return current;
    }

    private static JsonNode? Add(JsonNode? doc, string[] segments, JsonNode? value, bool replace = false)
    {
        if (segments.Length == 0)
        {
            return value;
        }

        var parent = Resolve(doc, segments[..^1]);
        var last = segments[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                if (replace)
                {
                    a[i] = value;
                }
                else
                {
                    a.Insert(i, value);
                }

                break;
            default:
                throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: add operation does not apply: doc is missing path: \"/{string.Join('/', segments)}\": missing value");
        }

        return doc;
    }

    private static void Remove(JsonNode? doc, string[] segments, string path)
    {
        var parent = Resolve(doc, segments[..^1]);
        var last = segments[^1];
        var removed = parent switch
        {
            JsonObject o => o.Remove(last),
            JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count => RemoveAt(a, i),
            _ => false,
        };
        if (!removed)
        {
            throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }

    private static bool RemoveAt(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }
}
