using System.Text.Json;

namespace Flame.Po.Dapr.State;

/// <summary>How values are serialised into the state store: snake_case JSON, like the REST contract.</summary>
public static class StateJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);
}
