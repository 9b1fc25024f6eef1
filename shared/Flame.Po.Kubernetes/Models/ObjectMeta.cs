namespace Flame.Po.Kubernetes.Models;

public sealed record ObjectMeta : KubernetesModel
{
    public string? Name { get; init; }
    public string? GenerateName { get; init; }
    public string? Namespace { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    public string? Uid { get; init; }
    public string? ResourceVersion { get; init; }
    public long? Generation { get; init; }
    public DateTimeOffset? CreationTimestamp { get; init; }
    public DateTimeOffset? DeletionTimestamp { get; init; }
    public IReadOnlyList<string>? Finalizers { get; init; }
}

public sealed record ListMeta : KubernetesModel
{
    public string? ResourceVersion { get; init; }
    public string? Continue { get; init; }
    public long? RemainingItemCount { get; init; }
}

/// <summary>A <c>…List</c> answer of a list call.</summary>
public sealed record KubernetesList<T> : KubernetesModel
    where T : KubernetesObject
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public ListMeta Metadata { get; init; } = new();
    public IReadOnlyList<T> Items { get; init; } = [];
}

public sealed record LabelSelector : KubernetesModel
{
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }
    public IReadOnlyList<LabelSelectorRequirement>? MatchExpressions { get; init; }
}

public sealed record LabelSelectorRequirement : KubernetesModel
{
    public string Key { get; init; } = "";
    public string Operator { get; init; } = "";
    public IReadOnlyList<string>? Values { get; init; }
}

public sealed record LocalObjectReference : KubernetesModel
{
    public string? Name { get; init; }
}
