namespace Flame.Po.Lifecycle.Archive;

/// <summary>
/// Pod logs of one deployment, captured before its objects are deleted: one text per pod and container
/// attempt (current and previous), for the analysis and for its nginx.
/// </summary>
public sealed record LogSnapshot
{
    public IReadOnlyList<string> Analysis { get; init; } = [];
    public IReadOnlyList<string> Nginx { get; init; } = [];

    /// <summary>Pods or containers whose log could not be read, with the reason.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}
