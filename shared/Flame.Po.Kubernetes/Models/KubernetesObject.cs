using System.Text.Json.Serialization;

namespace Flame.Po.Kubernetes.Models;

/// <summary>A top-level Kubernetes object: type meta plus object meta.</summary>
public abstract record KubernetesObject : KubernetesModel
{
    protected KubernetesObject(string apiVersion, string kind)
    {
        ApiVersion = apiVersion;
        Kind = kind;
    }

    [JsonPropertyOrder(-3)]
    public string ApiVersion { get; init; }

    [JsonPropertyOrder(-2)]
    public string Kind { get; init; }

    [JsonPropertyOrder(-1)]
    public ObjectMeta Metadata { get; init; } = new();
}

/// <summary>Implemented by the object types the typed client can address (static resource coordinates).</summary>
public interface IKubernetesResource
{
    static abstract ResourceKind Resource { get; }
}
