namespace Flame.Po.Kubernetes.Models;

public sealed record ConfigMap() : KubernetesObject("v1", "ConfigMap"), IKubernetesResource
{
    public static ResourceKind Resource => ResourceKind.ConfigMaps;

    public bool? Immutable { get; init; }
    public IReadOnlyDictionary<string, string>? Data { get; init; }
}
