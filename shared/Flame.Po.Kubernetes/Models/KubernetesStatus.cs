namespace Flame.Po.Kubernetes.Models;

/// <summary>The <c>Status</c> object of API errors and of some delete answers (reference/kubernetes.md §3.5).</summary>
public sealed record KubernetesStatus : KubernetesModel
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public string? Status { get; init; }
    public string? Message { get; init; }
    public string? Reason { get; init; }
    public int? Code { get; init; }
    public StatusDetails? Details { get; init; }
}

public sealed record StatusDetails : KubernetesModel
{
    public string? Name { get; init; }
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string? Uid { get; init; }
    public IReadOnlyList<StatusCause>? Causes { get; init; }
    public int? RetryAfterSeconds { get; init; }
}

public sealed record StatusCause : KubernetesModel
{
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public string? Field { get; init; }
}
