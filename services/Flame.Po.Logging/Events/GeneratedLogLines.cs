using System.Globalization;
using Flame.Po.Core.Analyses;

namespace Flame.Po.Logging.Events;

/// <summary>A log line the PO writes on behalf of an analysis (docs/compatibility.md#generated-log-lines).</summary>
public sealed record GeneratedLogLine(string Level, string Status, string Message);

/// <summary>
/// The PO's own log lines for lifecycle transitions, pure. The bracketed tags (<c>POAPI</c>,
/// <c>ANALYSISSTARTUPERROR</c>, <c>ANALYSISSTOPPED</c>) and the <c>[restart n of 10]</c> fragment are a contract:
/// UIs parse them. The status of a start-up error line is the status before the action, as before.
/// </summary>
public static class GeneratedLogLines
{
    public static IReadOnlyList<GeneratedLogLine> For(AnalysisEvent analysisEvent)
    {
        ArgumentNullException.ThrowIfNull(analysisEvent);
        if (analysisEvent.Deleted || string.IsNullOrEmpty(analysisEvent.From) || analysisEvent.From == analysisEvent.To)
        {
            return [];
        }

        var stamp = analysisEvent.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var restart = string.Create(CultureInfo.InvariantCulture, $"[restart {analysisEvent.RestartCounter} of {TransitionReasons.MaxDeployments}]");
        var reason = analysisEvent.Reason;
        return analysisEvent.To switch
        {
            AnalysisStatus.Starting when TransitionReasons.RestartCause(reason) is { } cause =>
                [StartupError(stamp, analysisEvent.From, $"{CauseSentence(cause)} and was restarted {restart}.")],
            AnalysisStatus.Failed when reason == TransitionReasons.AnalysisReportedFailure => [],
            AnalysisStatus.Failed when TransitionReasons.RestartCause(reason) is { } cause =>
                [StartupError(stamp, analysisEvent.From, $"{CauseSentence(cause)} {restart}. The analysis was terminated: no restarts are left.")],
            AnalysisStatus.Failed =>
                [StartupError(stamp, analysisEvent.From, $"The analysis failed to deploy in Kubernetes {restart}." + (string.IsNullOrWhiteSpace(reason) ? "" : $"\n\tKubernetesApiError: {reason.TrimEnd('.')}."))],
            AnalysisStatus.Stopped =>
                [new GeneratedLogLine("info", AnalysisStatus.Stopped, $"[flame -- POAPI: ANALYSISSTOPPED -- {stamp}] Info: {StopSentence(reason)}")],
            _ => [],
        };
    }

    private static GeneratedLogLine StartupError(string stamp, string statusBefore, string sentence) =>
        new("error", statusBefore, $"[flame -- POAPI: ANALYSISSTARTUPERROR -- {stamp}] Error: {sentence}");

    private static string CauseSentence(string cause) => cause switch
    {
        TransitionReasons.Stuck => "The analysis could not reach the other node components",
        TransitionReasons.Slow => "The analysis took too long to start",
        _ => "The analysis stopped answering",
    };

    private static string StopSentence(string? reason) => reason switch
    {
        TransitionReasons.StoppedByPartner => "The analysis was stopped because another node stopped it.",
        TransitionReasons.DeletedByUser => "The analysis was stopped and deleted locally by a user of this node.",
        _ => "The analysis was stopped locally by a user of this node.",
    };
}
