using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.IntegrationTests.Support;
using Flame.Sandbox;
using Flame.Testing;

namespace Flame.Po.IntegrationTests.LogService;

/// <summary>What the Sandbox's Hub holds and was told about analyses of this node, for the Hub reporting tests.</summary>
public static class HubMirror
{
    /// <summary>
    /// Waits until the logging service has nothing left to deliver to the Hub: no event left in the embedded bus's
    /// outbox (its effect on the Hub rows is still to come) and no Hub row behind.
    /// </summary>
    /// <param name="lines">Whether lines are forwarded too (HUB_LOGGING); otherwise only status and progress count.</param>
    public static async Task WaitForDrainedAsync(LifecycleHarness h, TimeSpan timeout, bool lines = true)
    {
        // A pass saves a finished record with its events still inside it and moves them to the outbox after the pass:
        // an empty outbox means nothing until no record holds events any more.
        await Wait.UntilAsync(
            async () => (await h.Repository.ListAsync(activeOnly: false, CancellationToken.None)).All(s => s.Record.PendingEvents.Count == 0),
            timeout,
            "every record's events to reach the outbox");
        await WaitForDrainedAsync(h.Database, timeout, lines);
    }

    /// <summary>As <see cref="WaitForDrainedAsync(LifecycleHarness, TimeSpan, bool)"/>, on the database of any mode.</summary>
    public static async Task WaitForDrainedAsync(TestDatabase database, TimeSpan timeout, bool lines = true)
    {
        long pending = -1;
        await Wait.UntilAsync(
            async () => (pending = await database.CountAsync("SELECT count(*) FROM event_outbox") + await database.CountAsync(
                "SELECT count(*) FROM hub_sync h JOIN log_stream s USING (analysis_id) WHERE h.pushed_version < h.version"
                + (lines ? " OR h.log_cursor < s.last_line_id" : ""))) == 0,
            timeout,
            "the Hub updates to drain",
            TimeSpan.FromMilliseconds(200),
            details: () => $"{pending} events or analyses still have Hub updates pending.");
    }

    public static JsonObject Node(LifecycleHarness h, string analysisId) => Node(h.Sandbox, analysisId);

    public static JsonObject Node(SandboxServer sandbox, string analysisId) =>
        sandbox.Hub.AnalysisNode(analysisId, sandbox.Hub.OwnNodeId) ?? throw new InvalidOperationException($"{analysisId} is not registered in the Hub.");

    public static string? Status(LifecycleHarness h, string analysisId) => Status(h.Sandbox, analysisId);

    public static string? Status(SandboxServer sandbox, string analysisId) => Node(sandbox, analysisId)["execution_status"]?.GetValue<string>();

    public static int? Progress(LifecycleHarness h, string analysisId) => Node(h, analysisId)["execution_progress"]?.GetValue<int>();

    /// <summary>The statuses the Hub accepted for the analysis's own analysis-node, in order.</summary>
    public static IReadOnlyList<(string? Status, int? Progress)> AcceptedUpdates(LifecycleHarness h, string analysisId) => AcceptedUpdates(h.Sandbox, analysisId);

    /// <summary>The statuses the Hub accepted for the analysis's own analysis-node, in order.</summary>
    public static IReadOnlyList<(string? Status, int? Progress)> AcceptedUpdates(SandboxServer sandbox, string analysisId)
    {
        var nodeId = Node(sandbox, analysisId)["id"]!.GetValue<string>();
        return sandbox.HubCalls
            .Where(c => c.Method == "POST" && c.Path.EndsWith($"/analysis-nodes/{nodeId}", StringComparison.Ordinal) && c.StatusCode is >= 200 and < 300)
            .Select(c => JsonNode.Parse(c.Body!)!)
            .Select(b => (b["execution_status"]?.GetValue<string>(), b["execution_progress"]?.GetValue<int>()))
            .ToList();
    }

    public static IReadOnlyList<string> LogMessages(LifecycleHarness h, string analysisId) => LogMessages(h.Sandbox, analysisId);

    public static IReadOnlyList<string> LogMessages(SandboxServer sandbox, string analysisId) =>
        sandbox.Hub.Logs.Where(l => l["analysis_id"]?.GetValue<string>() == analysisId).Select(l => l["message"]!.GetValue<string>()).ToList();

    /// <summary>
    /// The Hub reporting invariants: final status and progress as expected, every stored line forwarded exactly once in
    /// order, updates sent on change only, and no terminal status ever replaced.
    /// </summary>
    public static async Task ShouldHoldAsync(LifecycleHarness h, string analysisId, string finalStatus, int? finalProgress)
    {
        Status(h, analysisId).Should().Be(finalStatus, analysisId);
        if (finalProgress is not null)
        {
            Progress(h, analysisId).Should().Be(finalProgress, analysisId);
        }

        var stored = (await LogRows.OfAsync(h, analysisId)).Select(r => r.Message).ToList();
        stored.Should().NotBeEmpty();
        LogMessages(h, analysisId).Should().Equal(stored, "every stored line reaches the Hub exactly once, in order");

        var updates = AcceptedUpdates(h, analysisId);
        updates.Should().NotBeEmpty();
        updates.Zip(updates.Skip(1)).Where(pair => pair.First.Equals(pair.Second)).Select(pair => pair.First)
            .Should().BeEmpty("the Hub is told about changes only (updates: {0})", string.Join(", ", updates));
        var firstTerminal = updates.Select((u, i) => (u, i)).FirstOrDefault(x => x.u.Status is { } s && AnalysisStatus.IsTerminal(s));
        firstTerminal.u.Status.Should().Be(finalStatus);
        updates.Skip(firstTerminal.i).Should().OnlyContain(u => u.Status == finalStatus, "a terminal status is never replaced");
    }
}
