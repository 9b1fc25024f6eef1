namespace Flame.Po.Core.Analyses;

/// <summary>
/// One lifecycle transition, published on <see cref="Topics.AnalysisEvents"/>. <see cref="EventId"/> is
/// <c>&lt;analysis id&gt;:&lt;sequence&gt;</c>; delivery is at-least-once, so consumers drop ids they have seen.
/// </summary>
public sealed record AnalysisEvent
{
    public required string EventId { get; init; }
    public required string AnalysisId { get; init; }
    public required long Sequence { get; init; }
    public required string DeploymentName { get; init; }
    public string? From { get; init; }
    public required string To { get; init; }
    public string? Reason { get; init; }
    public required int RestartCounter { get; init; }
    public required int Progress { get; init; }
    public required DateTimeOffset Time { get; init; }

    /// <summary>True when the analysis was deleted with this event (its record is gone).</summary>
    public bool Deleted { get; init; }
}
