using System.Text.RegularExpressions;
using Flame.Po.Core.Analyses;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>The end state of an analysis record as the run saw it; absent from <see cref="ChaosFacts.Records"/> when gone.</summary>
public sealed record FinalRecord(string Status, string Phase, string? Reason, int RestartCounter);

/// <summary>One line the test streamed, whether the PO acknowledged it (HTTP 200) and how many attempts it took.</summary>
public sealed record SentLine(PlannedLine Line, bool Acknowledged, int Attempts);

/// <summary>Lines stored for analyses that are not deleted, and how many of them the Hub lacks or holds more than once.</summary>
public sealed record HubLineCounts(int Stored, int Missing, int Duplicated);

/// <summary>Everything the invariants look at, gathered at the end of a run (or fabricated by a unit test).</summary>
public sealed record ChaosFacts
{
    public required IReadOnlyList<PlannedAnalysis> Analyses { get; init; }

    /// <summary>Records still present, by analysis id.</summary>
    public required IReadOnlyDictionary<string, FinalRecord> Records { get; init; }

    /// <summary>Kubernetes objects labelled with each analysis' id that are still in the cluster.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> ObjectsOf { get; init; }

    /// <summary>Objects labelled as the PO's whose analysis it no longer tracks.</summary>
    public required IReadOnlyList<string> UntrackedObjects { get; init; }

    /// <summary>Analyses whose Keycloak client still exists.</summary>
    public required IReadOnlySet<string> KeycloakClients { get; init; }

    public required IReadOnlyDictionary<string, int> MaxConcurrentDeployments { get; init; }

    /// <summary>The statuses the status monitor saw, in order, consecutive repeats removed; null = record gone.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string?>> ObservedStatuses { get; init; }

    public required IReadOnlyList<SentLine> Lines { get; init; }

    /// <summary>How often each streamed message is stored in <c>log_line</c>.</summary>
    public required IReadOnlyDictionary<string, int> StoredLines { get; init; }

    /// <summary>The analysis-node's execution status in the Hub at the end.</summary>
    public required IReadOnlyDictionary<string, string?> HubStatus { get; init; }

    /// <summary>The statuses of the updates the Hub accepted for the analysis-node, in order.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string?>> HubAcceptedStatuses { get; init; }

    public HubLineCounts HubLines { get; init; } = new(0, 0, 0);

    /// <summary>The lifecycle's workflow instances at the end (Dapr mode); null when the mode has no workflow engine.</summary>
    public IReadOnlyList<WorkflowEnd>? Workflows { get; init; }
}

/// <summary>A broken invariant, with the analyses (or objects) that break it.</summary>
public sealed record ChaosViolation(string Invariant, IReadOnlyList<string> Offenders, string Detail)
{
    public override string ToString() => $"{Invariant}: {Detail} [{string.Join(", ", Offenders)}]";
}

/// <summary>
/// The invariants of the chaos suite, checked at the end of a chaos run: every analysis in its expected terminal
/// state with the expected reason; no orphaned Kubernetes object; never two deployments of one analysis at once;
/// every acknowledged line stored exactly once; every terminal status in the Hub; no terminal status overwritten; and
/// in Dapr mode, every transition workflow completed.
/// </summary>
public static class ChaosInvariants
{
    public const string TerminalState = "expected terminal state and reason";
    public const string NoOrphans = "no orphaned Kubernetes objects";
    public const string OneDeployment = "never two deployments of one analysis at once";
    public const string LinesOnce = "every acknowledged line stored exactly once";
    public const string HubReached = "every terminal status reached the Hub";
    public const string NeverOverwritten = "no terminal status overwritten";
    public const string WorkflowsCompleted = "every transition workflow completed";

    public static IReadOnlyList<ChaosViolation> Check(ChaosFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return [.. TerminalStates(facts), .. Orphans(facts), .. Deployments(facts), .. StoredLines(facts), .. Hub(facts), .. Overwrites(facts), .. Workflows(facts)];
    }

    private static IEnumerable<ChaosViolation> TerminalStates(ChaosFacts facts)
    {
        var wrong = new List<string>();
        foreach (var analysis in facts.Analyses)
        {
            var expected = analysis.Expected;
            facts.Records.TryGetValue(analysis.Id, out var record);
            var problem = (expected.Status, record) switch
            {
                (null, null) => null,
                (null, { } r) => $"should be deleted but is {r.Status}/{r.Phase}",
                (_, null) => $"should be {expected.Status} but its record is gone",
                (_, { } r) when r.Phase != "Finished" => $"never finished: {r.Status}/{r.Phase} ({r.Reason})",
                (_, { } r) when r.Status != expected.Status => $"is {r.Status} ({r.Reason}), expected {expected.Status}",
                (_, { } r) when !Regex.IsMatch(r.Reason ?? "", expected.ReasonPattern, RegexOptions.None, TimeSpan.FromSeconds(1)) =>
                    $"reason '{r.Reason}' does not match /{expected.ReasonPattern}/",
                (_, { } r) when expected.RestartCounter is { } n && r.RestartCounter != n => $"used {r.RestartCounter} deployments, expected {n}",
                (_, { } r) when expected.MinRestartCounter is { } min && r.RestartCounter < min => $"used {r.RestartCounter} deployments, expected at least {min}",
                _ => null,
            };
            if (problem is not null)
            {
                wrong.Add($"{analysis.Id} ({analysis.Scenario}) {problem}");
            }
        }

        if (wrong.Count > 0)
        {
            yield return new ChaosViolation(TerminalState, wrong, $"{wrong.Count} analyses did not end as expected");
        }
    }

    private static IEnumerable<ChaosViolation> Orphans(ChaosFacts facts)
    {
        if (facts.UntrackedObjects.Count > 0)
        {
            yield return new ChaosViolation(NoOrphans, facts.UntrackedObjects, "objects the PO no longer tracks are still in the cluster");
        }

        // At the end every analysis has ended: none may keep an object.
        var left = facts.Analyses.Where(a => facts.ObjectsOf.TryGetValue(a.Id, out var objects) && objects.Count > 0)
            .Select(a => $"{a.Id} ({a.Scenario}): {string.Join(", ", facts.ObjectsOf[a.Id])}")
            .ToList();
        if (left.Count > 0)
        {
            yield return new ChaosViolation(NoOrphans, left, "finished analyses still have objects in the cluster");
        }

        var clients = facts.Analyses.Where(a => a.Expected.Status is null && facts.KeycloakClients.Contains(a.Id)).Select(a => a.Id).ToList();
        if (clients.Count > 0)
        {
            yield return new ChaosViolation(NoOrphans, clients, "deleted analyses still have a Keycloak client");
        }
    }

    private static IEnumerable<ChaosViolation> Deployments(ChaosFacts facts)
    {
        var doubled = facts.MaxConcurrentDeployments.Where(kv => kv.Value > 1).Select(kv => $"{kv.Key} ({kv.Value})").ToList();
        if (doubled.Count > 0)
        {
            yield return new ChaosViolation(OneDeployment, doubled, "analyses had more than one deployment at the same moment");
        }
    }

    private static IEnumerable<ChaosViolation> StoredLines(ChaosFacts facts)
    {
        var notOnce = facts.Lines.Where(l => l.Acknowledged && facts.StoredLines.GetValueOrDefault(l.Line.Message) != 1)
            .Select(l => $"{l.Line.AnalysisId} '{l.Line.Message}' stored {facts.StoredLines.GetValueOrDefault(l.Line.Message)}×")
            .ToList();
        if (notOnce.Count > 0)
        {
            yield return new ChaosViolation(LinesOnce, notOnce, "acknowledged lines not stored exactly once");
        }

        var twice = facts.Lines.Where(l => !l.Acknowledged && facts.StoredLines.GetValueOrDefault(l.Line.Message) > 1)
            .Select(l => $"{l.Line.AnalysisId} '{l.Line.Message}' stored {facts.StoredLines[l.Line.Message]}×")
            .ToList();
        if (twice.Count > 0)
        {
            yield return new ChaosViolation(LinesOnce, twice, "unacknowledged lines stored more than once");
        }
    }

    private static IEnumerable<ChaosViolation> Hub(ChaosFacts facts)
    {
        var missing = facts.Analyses
            .Where(a => facts.HubStatus.GetValueOrDefault(a.Id) != a.Expected.HubStatus)
            .Select(a => $"{a.Id} ({a.Scenario}) Hub shows '{facts.HubStatus.GetValueOrDefault(a.Id)}', expected '{a.Expected.HubStatus}'")
            .ToList();
        if (missing.Count > 0)
        {
            yield return new ChaosViolation(HubReached, missing, "the Hub does not hold the terminal status");
        }

        // Lines may reach the Hub twice when the host dies between sending them and recording it (at-least-once),
        // but none may be lost.
        if (facts.HubLines.Missing > 0)
        {
            yield return new ChaosViolation(HubReached, [], $"{facts.HubLines.Missing} of {facts.HubLines.Stored} stored lines never reached the Hub");
        }
    }

    private static IEnumerable<ChaosViolation> Overwrites(ChaosFacts facts)
    {
        var hub = facts.HubAcceptedStatuses
            .Where(kv => OverwritesTerminal(kv.Value, allowGone: false) is not null)
            .Select(kv => $"{kv.Key}: {string.Join(" → ", kv.Value.Select(s => s ?? "(none)"))}")
            .ToList();
        if (hub.Count > 0)
        {
            yield return new ChaosViolation(NeverOverwritten, hub, "the Hub accepted another status after a terminal one");
        }

        var local = facts.ObservedStatuses
            .Where(kv => OverwritesTerminal(kv.Value, allowGone: true) is not null)
            .Select(kv => $"{kv.Key}: {string.Join(" → ", kv.Value.Select(s => s ?? "(gone)"))}")
            .ToList();
        if (local.Count > 0)
        {
            yield return new ChaosViolation(NeverOverwritten, local, "a record changed after a terminal status, or came back after it was gone");
        }
    }

    /// <summary>
    /// Once every analysis has ended, no transition is in flight: each workflow instance the lifecycle started ran to its
    /// end (COMPLETED) — none still RUNNING (a transition that never ended), FAILED (one the status loop did not repair)
    /// or TERMINATED.
    /// </summary>
    private static IEnumerable<ChaosViolation> Workflows(ChaosFacts facts)
    {
        if (facts.Workflows is null)
        {
            yield break;
        }

        var open = facts.Workflows.Where(w => w.RuntimeStatus != "COMPLETED")
            .Select(w => $"{w.InstanceId} ({w.WorkflowName}) {w.RuntimeStatus}" + (w.FailureMessage is { Length: > 0 } failure ? $": {Shorten(failure)}" : ""))
            .ToList();
        if (open.Count > 0)
        {
            yield return new ChaosViolation(WorkflowsCompleted, open, $"{open.Count} of {facts.Workflows.Count} workflow instances did not complete");
        }
    }

    /// <summary>At most 300 characters of a (failure) text.</summary>
    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>The first status that follows a terminal one (or a record that reappears after it was gone), else null.</summary>
    public static string? OverwritesTerminal(IReadOnlyList<string?> statuses, bool allowGone)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        string? terminal = null;
        var gone = false;
        foreach (var status in statuses)
        {
            if (status is null)
            {
                if (!allowGone)
                {
                    continue;
                }

                gone = true;
                continue;
            }

            if (gone)
            {
                return status;
            }

            if (terminal is not null && status != terminal)
            {
                return status;
            }

            if (AnalysisStatus.IsTerminal(status))
            {
                terminal = status;
            }
        }

        return null;
    }
}
