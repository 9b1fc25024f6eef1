namespace Flame.Po.Core.Analyses;

/// <summary>
/// What an analysis said about itself through <c>stream_logs</c>, published on <see cref="Topics.AnalysisReports"/>
/// by the logging service whenever its progress rises or its reported status changes. The lifecycle keeps the
/// progress (monotonic per deployment) and may probe early when the analysis reports an end.
/// </summary>
public sealed record AnalysisReport
{
    public required string AnalysisId { get; init; }

    /// <summary>The deployment the logging service attributes the report to; null before the first lifecycle event.</summary>
    public string? DeploymentName { get; init; }

    public string? ReportedStatus { get; init; }

    public required int Progress { get; init; }

    /// <summary>Increases with every report of the analysis; consumers drop older ones.</summary>
    public required long Version { get; init; }

    public required DateTimeOffset Time { get; init; }
}
