namespace Flame.Po.Kubernetes.Models;

public sealed record Service() : KubernetesObject("v1", "Service"), IKubernetesResource
{
    public static ResourceKind Resource => ResourceKind.Services;

    public ServiceSpec? Spec { get; init; }
}

public sealed record ServiceSpec : KubernetesModel
{
    public string? Type { get; init; }
    public string? ClusterIP { get; init; }
    public IReadOnlyDictionary<string, string>? Selector { get; init; }
    public IReadOnlyList<ServicePort>? Ports { get; init; }
}

public sealed record ServicePort : KubernetesModel
{
    public string? Name { get; init; }
    public string? Protocol { get; init; }
    public int Port { get; init; }
    public IntOrString? TargetPort { get; init; }
}
