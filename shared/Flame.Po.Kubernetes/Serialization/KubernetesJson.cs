using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flame.Po.Kubernetes.Serialization;

/// <summary>The JSON conventions of the Kubernetes API: camelCase, nulls omitted.</summary>
public static class KubernetesJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Serializes with the runtime type, so a <c>KubernetesObject</c>-typed reference keeps its spec.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, value?.GetType() ?? typeof(T), Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Empty JSON for {typeof(T).Name}.");

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
