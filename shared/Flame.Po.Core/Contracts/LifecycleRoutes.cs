namespace Flame.Po.Core.Contracts;

/// <summary>
/// The lifecycle's internal routes, called by the Api only (through the Dapr sidecar, or on the host's local
/// channel in <c>--target all</c>). Queries take an optional <see cref="AnalysisIdQuery"/>: one analysis, else all.
/// </summary>
public static class LifecycleRoutes
{
    public const string Create = "/internal/analyses";
    public const string Stop = "/internal/analyses/stop";
    public const string Delete = "/internal/analyses/delete";
    public const string Cleanup = "/internal/analyses/cleanup";
    public const string Status = "/internal/analyses/status";
    public const string History = "/internal/analyses/history";
    public const string Logs = "/internal/analyses/logs";
    public const string Pods = "/internal/analyses/pods";
    public const string AnalysisIdQuery = "analysis_id";

    /// <summary>A query route for one analysis (<paramref name="analysisId"/>) or for all (null).</summary>
    public static string For(string route, string? analysisId) =>
        analysisId is null ? route : $"{route}?{AnalysisIdQuery}={Uri.EscapeDataString(analysisId)}";
}

/// <summary>The logging service's internal routes, called by the Api only.</summary>
public static class LoggingRoutes
{
    public const string Ingest = "/internal/log-lines";
}
