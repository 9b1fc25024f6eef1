namespace Flame.Po.Core.Analyses;

/// <summary>
/// The reasons the lifecycle gives for its transitions, shared with the logging service, which turns them into the
/// PO's generated log lines (docs/compatibility.md#generated-log-lines). Restart reasons start with a cause word and
/// a colon.
/// </summary>
public static class TransitionReasons
{
    public const string Created = "Created.";

    /// <summary>Accepted while MAX_CONCURRENT_ANALYSES analyses run: no workload yet, started first come, first served.</summary>
    public const string Queued = "queued";
    public const string Finished = "The analysis finished.";
    public const string AnalysisReportedFailure = "The analysis reported that it failed.";
    public const string StoppedByUser = "Stopped by a user of this node.";
    public const string DeletedByUser = "Deleted by a user of this node.";
    public const string StoppedByPartner = "Stopped because a partner node stopped the analysis.";

    /// <summary>The analysis reported <c>stuck</c>: it could not reach a node service.</summary>
    public const string Stuck = "stuck";

    /// <summary>The analysis did not get going within the start-up grace.</summary>
    public const string Slow = "slow";

    /// <summary>A running analysis stopped answering.</summary>
    public const string Unresponsive = "unresponsive";

    /// <summary>Deployments an analysis may use: the first one and nine restarts (docs/compatibility.md#restarts).</summary>
    public const int MaxDeployments = 10;

    /// <summary>Appended to a restart reason when the deployment budget is used up.</summary>
    public const string NoRestartsLeft = "no restarts left.";

    public static string Restart(string cause, string detail) => $"{cause}: {detail}";

    /// <summary>The cause word of a restart reason (<see cref="Stuck"/>, <see cref="Slow"/>, <see cref="Unresponsive"/>), else null.</summary>
    public static string? RestartCause(string? reason) =>
        reason is null ? null : new[] { Stuck, Slow, Unresponsive }.FirstOrDefault(c => reason.StartsWith(c + ":", StringComparison.Ordinal));
}
