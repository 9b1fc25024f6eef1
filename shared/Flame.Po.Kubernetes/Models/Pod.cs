namespace Flame.Po.Kubernetes.Models;

public sealed record Pod() : KubernetesObject("v1", "Pod"), IKubernetesResource
{
    public static ResourceKind Resource => ResourceKind.Pods;

    public PodSpec? Spec { get; init; }
    public PodStatus? Status { get; init; }
}

public sealed record PodStatus : KubernetesModel
{
    public string? Phase { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public string? PodIP { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public IReadOnlyList<PodCondition>? Conditions { get; init; }
    public IReadOnlyList<ContainerStatus>? ContainerStatuses { get; init; }
}

/// <summary>A pod condition such as <c>PodScheduled=False</c> with reason <c>Unschedulable</c>.</summary>
public sealed record PodCondition : KubernetesModel
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public string? Message { get; init; }
}

public sealed record ContainerStatus : KubernetesModel
{
    public string Name { get; init; } = "";
    public bool Ready { get; init; }
    public int RestartCount { get; init; }
    public ContainerState? State { get; init; }
    public ContainerState? LastState { get; init; }
}

public sealed record ContainerState : KubernetesModel
{
    public ContainerStateWaiting? Waiting { get; init; }
    public ContainerStateRunning? Running { get; init; }
    public ContainerStateTerminated? Terminated { get; init; }
}

public sealed record ContainerStateWaiting : KubernetesModel
{
    public string? Reason { get; init; }
    public string? Message { get; init; }
}

public sealed record ContainerStateRunning : KubernetesModel
{
    public DateTimeOffset? StartedAt { get; init; }
}

public sealed record ContainerStateTerminated : KubernetesModel
{
    public int ExitCode { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
}
