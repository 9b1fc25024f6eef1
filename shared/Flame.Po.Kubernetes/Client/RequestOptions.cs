namespace Flame.Po.Kubernetes.Client;

/// <summary>List and watch filters (reference/kubernetes.md §3.2, §3.8).</summary>
public sealed record ListOptions
{
    /// <summary><see cref="Limit"/> for one request that returns every item (the API server reads no limit as "all").</summary>
    public const int Unpaged = 0;

    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }

    /// <summary>Items per page; null: the client's page size for <c>ListAllAsync</c>; <see cref="Unpaged"/>: no paging.</summary>
    public int? Limit { get; init; }
    public string? Continue { get; init; }
    public string? ResourceVersion { get; init; }
}

/// <summary>How dependents are removed on delete (reference/kubernetes.md §3.4).</summary>
public enum PropagationPolicy
{
    Background,
    Foreground,
    Orphan,
}

/// <summary>Query of <c>pods/{name}/log</c> (reference/kubernetes.md §3.3).</summary>
public sealed record PodLogOptions
{
    public string? Container { get; init; }
    public int? TailLines { get; init; }
    public bool Previous { get; init; }
    public long? LimitBytes { get; init; }
    public bool Timestamps { get; init; }
    public int? SinceSeconds { get; init; }
}
