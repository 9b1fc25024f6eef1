namespace Flame.Po.Kubernetes.Models;

public sealed record Deployment() : KubernetesObject("apps/v1", "Deployment"), IKubernetesResource
{
    public static ResourceKind Resource => ResourceKind.Deployments;

    public DeploymentSpec? Spec { get; init; }
    public DeploymentStatus? Status { get; init; }
}

public sealed record DeploymentSpec : KubernetesModel
{
    public int? Replicas { get; init; }
    public int? RevisionHistoryLimit { get; init; }
    public LabelSelector Selector { get; init; } = new();
    public DeploymentStrategy? Strategy { get; init; }
    public PodTemplateSpec Template { get; init; } = new();
}

public sealed record DeploymentStrategy : KubernetesModel
{
    public string? Type { get; init; }
}

public sealed record DeploymentStatus : KubernetesModel
{
    public long? ObservedGeneration { get; init; }
    public int? Replicas { get; init; }
    public int? ReadyReplicas { get; init; }
    public int? AvailableReplicas { get; init; }
    public int? UnavailableReplicas { get; init; }
}

public sealed record PodTemplateSpec : KubernetesModel
{
    public ObjectMeta Metadata { get; init; } = new();
    public PodSpec Spec { get; init; } = new();
}
