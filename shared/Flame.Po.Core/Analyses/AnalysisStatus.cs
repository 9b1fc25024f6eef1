namespace Flame.Po.Core.Analyses;

/// <summary>
/// The status vocabulary shared with the FLAME Hub and the analysis SDK (docs/compatibility.md#statuses). Values are
/// the wire strings; <c>stuck</c> is reported by analyses only and never stored.
/// </summary>
public static class AnalysisStatus
{
    public const string Starting = "starting";
    public const string Started = "started";
    public const string Executing = "executing";
    public const string Executed = "executed";
    public const string Stopped = "stopped";
    public const string Failed = "failed";

    /// <summary>Reported by an analysis that could not reach a node service; a restart trigger.</summary>
    public const string Stuck = "stuck";

    public static IReadOnlyList<string> All { get; } = [Starting, Started, Executing, Executed, Stopped, Failed];

    /// <summary>Terminal statuses are never left again (except by delete and a new create).</summary>
    public static IReadOnlyList<string> Terminal { get; } = [Executed, Stopped, Failed];

    /// <summary>Whether <paramref name="status"/> is one of <see cref="Terminal"/>.</summary>
    public static bool IsTerminal(string status) => Terminal.Contains(status);
}
