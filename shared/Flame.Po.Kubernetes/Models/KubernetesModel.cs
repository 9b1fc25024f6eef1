using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flame.Po.Kubernetes.Models;

/// <summary>
/// Base of every modelled Kubernetes structure. We model only the fields we use; everything else the server
/// sends lands in <see cref="Extra"/> and is written back unchanged, so a read-modify-write never drops fields.
/// </summary>
public abstract record KubernetesModel
{
    [JsonExtensionData]
    [JsonPropertyOrder(int.MaxValue)]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
