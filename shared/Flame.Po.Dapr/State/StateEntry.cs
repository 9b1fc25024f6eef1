using System.Text.Json;

namespace Flame.Po.Dapr.State;

/// <summary>A stored value with the ETag to pass back when writing it.</summary>
public sealed record StateEntry(string Key, JsonElement Value, string ETag)
{
    public T Get<T>() => Value.Deserialize<T>(StateJson.Options)
        ?? throw new JsonException($"State key '{Key}' holds null where a {typeof(T).Name} was expected.");
}
