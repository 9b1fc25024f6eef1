using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// The numbers of a chaos run: analyses per scenario and outcome, kills, faults that fired, lines, durations and
/// broken invariants; written to the test output and to <c>$FLAME_TEST_WORK/chaos-summary.json</c>.
/// </summary>
public sealed class ChaosSummary(ChaosPlan plan)
{
    public ChaosMode Mode { get; set; } = ChaosMode.AllInOne;
    public double SetupSeconds { get; set; }
    public double ChaosSeconds { get; set; }
    public double SettleSeconds { get; set; }
    public double DrainSeconds { get; set; }
    public double TotalSeconds { get; set; }
    public IReadOnlyList<HostKill> Kills { get; set; } = [];
    public IReadOnlyDictionary<string, long> Faults { get; set; } = new Dictionary<string, long>();
    public long KubernetesRequests { get; set; }
    public long WatchRequests { get; set; }
    public int CommandRetries { get; set; }
    public int MonitorSamples { get; set; }

    /// <summary>Workflow runs seen FAILED or TERMINATED during the run (Dapr mode), repaired or not.</summary>
    public IReadOnlyList<WorkflowEnd> BrokenWorkflowRuns { get; set; } = [];
    public List<string> Notes { get; } = [];
    public JsonObject Json { get; private set; } = [];

    public void Complete(ChaosFacts facts, IReadOnlyList<ChaosViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(violations);
        var scenarios = new JsonObject();
        foreach (var group in plan.Analyses.GroupBy(a => a.Scenario).OrderBy(g => g.Key))
        {
            var outcomes = new JsonObject();
            foreach (var outcome in group.Select(a => Outcome(facts, a.Id)).GroupBy(o => o).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                outcomes[outcome.Key] = outcome.Count();
            }

            scenarios[group.Key.ToString()] = new JsonObject
            {
                ["planned"] = group.Count(),
                ["expected"] = group.First().Expected.Status ?? "deleted",
                ["outcomes"] = outcomes,
            };
        }

        var faultsFired = Faults.Where(kv => kv.Key.StartsWith("kubernetes", StringComparison.Ordinal)).Sum(kv => kv.Value);
        var faults = new JsonObject();
        foreach (var (kind, count) in Faults)
        {
            faults[kind] = count;
        }

        faults["kubernetes requests"] = KubernetesRequests;
        faults["kubernetes error share"] = KubernetesRequests == 0 ? 0 : Math.Round((double)faultsFired / KubernetesRequests, 4);
        faults["watch requests"] = WatchRequests;

        var acknowledged = facts.Lines.Where(l => l.Acknowledged).ToList();
        var unacknowledged = facts.Lines.Where(l => !l.Acknowledged).ToList();
        Json = new JsonObject
        {
            ["mode"] = Mode == ChaosMode.ThreeProcess ? "three-process" : "all",
            ["seed"] = plan.Seed,
            ["size"] = plan.Size,
            ["reproduce"] = plan.Reproduce,
            ["passed"] = violations.Count == 0,
            ["seconds"] = new JsonObject
            {
                ["setup"] = Round(SetupSeconds),
                ["chaos"] = Round(ChaosSeconds),
                ["settle"] = Round(SettleSeconds),
                ["drain"] = Round(DrainSeconds),
                ["total"] = Round(TotalSeconds),
            },
            ["scenarios"] = scenarios,
            ["kills"] = new JsonArray([.. Kills.Select(k => (JsonNode)new JsonObject
            {
                ["process"] = k.Process,
                ["at"] = Round(k.At.TotalSeconds),
                ["down"] = Round(k.Down.TotalSeconds),
                ["ready_after"] = k.ReadyAfter is { } ready ? Round(ready.TotalSeconds) : null,
                ["during_hub_outage"] = k.At >= plan.OutageFrom && k.At < plan.OutageUntil,
            })]),
            ["hub_outage"] = new JsonObject { ["from"] = Round(plan.OutageFrom.TotalSeconds), ["until"] = Round(plan.OutageUntil.TotalSeconds) },
            ["faults"] = faults,
            ["lines"] = new JsonObject
            {
                ["sent"] = facts.Lines.Count,
                ["with_idempotency_key"] = facts.Lines.Count(l => l.Line.IdempotencyKey is not null),
                ["resent_after_ack"] = facts.Lines.Count(l => l.Line.ResendAfterAck && l.Acknowledged),
                ["attempts"] = facts.Lines.Sum(l => l.Attempts),
                ["acknowledged"] = acknowledged.Count,
                ["acknowledged_stored_once"] = acknowledged.Count(l => facts.StoredLines.GetValueOrDefault(l.Line.Message) == 1),
                ["unacknowledged"] = unacknowledged.Count,
                ["unacknowledged_stored"] = unacknowledged.Count(l => facts.StoredLines.GetValueOrDefault(l.Line.Message) > 0),
            },
            ["hub_lines"] = new JsonObject
            {
                ["stored"] = facts.HubLines.Stored,
                ["missing_at_hub"] = facts.HubLines.Missing,
                ["duplicated_at_hub"] = facts.HubLines.Duplicated,
            },
            ["command_retries"] = CommandRetries,
            ["status_monitor_samples"] = MonitorSamples,
            ["max_concurrent_deployments"] = facts.MaxConcurrentDeployments.Values.DefaultIfEmpty(0).Max(),
            ["workflows"] = facts.Workflows is null ? null : Workflows(facts.Workflows),
            ["workflow_runs_seen_failed"] = facts.Workflows is null ? null : new JsonArray([.. BrokenWorkflowRuns.Select(w =>
                (JsonNode)$"{w.InstanceId} ({w.WorkflowName}) {w.RuntimeStatus}: {ChaosInvariants.Shorten(w.FailureMessage ?? "")}")]),
            ["notes"] = new JsonArray([.. Notes.Append(WatchRequests == 0 ? "The PO lists and never watches: no watch was there to drop." : "").Where(n => n.Length > 0).Select(n => (JsonNode)n)]),
            ["violations"] = new JsonArray([.. violations.Select(v => (JsonNode)v.ToString())]),
        };
    }

    public string ToText() => Json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>
    /// Writes the summary next to the other test files of the run (<c>chaos-summary.json</c>, in three-process mode
    /// <c>chaos-summary-three-process.json</c>); returns the path.
    /// </summary>
    public string Write()
    {
        var directory = Environment.GetEnvironmentVariable("FLAME_TEST_WORK") is { Length: > 0 } work ? work : Path.GetTempPath();
        var path = Path.Combine(directory, Mode == ChaosMode.ThreeProcess ? "chaos-summary-three-process.json" : "chaos-summary.json");
        File.WriteAllText(path, ToText(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    /// <summary>Workflow instances per workflow and runtime status.</summary>
    private static JsonObject Workflows(IReadOnlyList<WorkflowEnd> workflows)
    {
        var byName = new JsonObject();
        foreach (var name in workflows.GroupBy(w => w.WorkflowName).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var statuses = new JsonObject();
            foreach (var status in name.GroupBy(w => w.RuntimeStatus).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                statuses[status.Key] = status.Count();
            }

            byName[name.Key] = statuses;
        }

        return byName;
    }

    private static string Outcome(ChaosFacts facts, string id) =>
        facts.Records.TryGetValue(id, out var record)
            ? record.Phase == "Finished" ? record.Status : $"{record.Status} (not finished)"
            : "deleted";

    private static double Round(double value) => Math.Round(value, 1, MidpointRounding.AwayFromZero);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ChaosSummary({plan.Reproduce})");
}
