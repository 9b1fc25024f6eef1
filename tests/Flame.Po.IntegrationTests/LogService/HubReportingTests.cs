using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Sandbox.Faults;
using Flame.Testing;

namespace Flame.Po.IntegrationTests.LogService;

/// <summary>
/// The logging service as the only writer to the Hub: status on change, progress, the analyses' lines and the PO's
/// generated lines, against the Sandbox's Hub — with the Hub up, and through a Hub outage.
/// </summary>
public sealed class HubReportingTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["HUB_LOGGING"] = "true",
        ["HUB_SYNC_INTERVAL"] = "0.2",
        ["HUB_RETRY_MAX"] = "3",
    };

    private static async Task<LifecycleHarness> StartAsync()
    {
        var h = await LifecycleHarness.StartAsync(Settings, hub: true);
        h.Sandbox.StreamLogsUrl = new Uri(h.Host.Http.BaseAddress!, "/po/stream_logs");
        return h;
    }

    private static async Task<string> CreateAsync(LifecycleHarness h, string image)
    {
        var id = Guid.NewGuid().ToString();
        h.Sandbox.Hub.RegisterAnalysis(id);
        var outcome = await h.Commands.CreateAsync(LifecycleHarness.Create(image, id), CancellationToken.None);
        outcome.Kind.Should().Be(Flame.Po.Lifecycle.Commands.CommandOutcomeKind.Accepted, outcome.Problem);
        return id;
    }

    [Fact]
    public async Task Executed_stuck_and_stopped_analyses_reach_the_hub_with_their_lines_and_the_pos_own_lines()
    {
        await using var h = await StartAsync();
        var ok = await CreateAsync(h, "harbor.sandbox.local/sim/ok:runtime-300s_progress-3");
        var stuck = await CreateAsync(h, "harbor.sandbox.local/sim/stuck");
        var stopped = await CreateAsync(h, "harbor.sandbox.local/sim/ok:runtime-360000s");

        await h.WaitForAsync(stopped, r => r.Status == AnalysisStatus.Executing);
        await h.Commands.StopAsync([stopped], CancellationToken.None);
        var expected = new Dictionary<string, string> { [ok] = AnalysisStatus.Executed, [stuck] = AnalysisStatus.Failed, [stopped] = AnalysisStatus.Stopped };
        foreach (var (id, status) in expected)
        {
            var record = await h.WaitForFinishedAsync(id, TimeSpan.FromSeconds(120));
            record.Status.Should().Be(status, record.Reason);
        }

        await HubMirror.WaitForDrainedAsync(h, TimeSpan.FromSeconds(60));
        await HubMirror.ShouldHoldAsync(h, ok, AnalysisStatus.Executed, 100);
        await HubMirror.ShouldHoldAsync(h, stuck, AnalysisStatus.Failed, null);
        await HubMirror.ShouldHoldAsync(h, stopped, AnalysisStatus.Stopped, null);

        var stuckLines = (await LogRows.OfAsync(h, stuck)).Where(r => r.Source == "po").Select(r => r.Message).ToList();
        stuckLines.Should().HaveCount(10);
        for (var n = 1; n <= 9; n++)
        {
            stuckLines[n - 1].Should().Contain("POAPI: ANALYSISSTARTUPERROR").And.Contain($"[restart {n} of 10]").And.Contain("could not reach");
        }

        stuckLines[9].Should().Contain("[restart 10 of 10]").And.Contain("terminated");
        (await LogRows.OfAsync(h, stopped)).Where(r => r.Source == "po").Should().ContainSingle()
            .Which.Message.Should().Contain("POAPI: ANALYSISSTOPPED").And.Contain("stopped locally");
        (await LogRows.OfAsync(h, ok)).Where(r => r.Source == "po").Should().BeEmpty();
    }

    [Fact]
    public async Task Without_hub_logging_statuses_reach_the_hub_but_lines_stay_local()
    {
        await using var h = await LifecycleHarness.StartAsync(new Dictionary<string, string?>(Settings) { ["HUB_LOGGING"] = "false" }, hub: true);
        h.Sandbox.StreamLogsUrl = new Uri(h.Host.Http.BaseAddress!, "/po/stream_logs");
        var ok = await CreateAsync(h, "harbor.sandbox.local/sim/ok:runtime-200s_progress-2");

        var record = await h.WaitForFinishedAsync(ok);
        record.Status.Should().Be(AnalysisStatus.Executed, record.Reason);
        await HubMirror.WaitForDrainedAsync(h, TimeSpan.FromSeconds(30), lines: false);
        await LogRows.WaitForAsync(h, ok, rows => rows.Count >= 2);

        HubMirror.Status(h, ok).Should().Be(AnalysisStatus.Executed);
        HubMirror.Progress(h, ok).Should().Be(100);
        HubMirror.LogMessages(h, ok).Should().BeEmpty();
    }

    /// <summary>
    /// Issue 7: a Hub outage of two minutes (FLAME_HUB_OUTAGE_SECONDS to change it) while analyses progress and finish.
    /// Ingestion and the lifecycle carry on; afterwards the Hub holds the right final state and every line once.
    /// </summary>
    [Fact]
    public async Task A_hub_outage_loses_nothing_and_overwrites_no_terminal_status()
    {
        var outage = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("FLAME_HUB_OUTAGE_SECONDS"), out var s) ? s : 120);
        await using var h = await StartAsync();
        var finishing = new[]
        {
            await CreateAsync(h, "harbor.sandbox.local/sim/ok:runtime-2000s_progress-5"),
            await CreateAsync(h, "harbor.sandbox.local/sim/ok:runtime-3000s_progress-10"),
        };
        var stoppedDuringOutage = await CreateAsync(h, "harbor.sandbox.local/sim/ok:runtime-360000s");
        var failing = await CreateAsync(h, "harbor.sandbox.local/sim/fails:runtime-1500s");
        var all = finishing.Append(stoppedDuringOutage).Append(failing).ToList();

        // The Hub has seen every analysis start before it goes down.
        await Wait.UntilAsync(() => all.All(id => HubMirror.Status(h, id) is not null), TimeSpan.FromSeconds(60));
        var outageEnds = DateTime.UtcNow + outage;
        h.Sandbox.Faults.Add(new FaultRule { Route = "hub:*", StatusCode = 503 });
        h.Sandbox.Faults.Add(new FaultRule { Route = "hubauth:*", StatusCode = 503 });
        var hubBefore = all.ToDictionary(id => id, id => HubMirror.Status(h, id));

        await h.WaitForAsync(stoppedDuringOutage, r => r.Status == AnalysisStatus.Executing, TimeSpan.FromSeconds(60));
        await h.Commands.StopAsync([stoppedDuringOutage], CancellationToken.None);
        foreach (var id in all)
        {
            var record = await h.WaitForFinishedAsync(id, outageEnds - DateTime.UtcNow);
            record.Status.Should().Be(id == stoppedDuringOutage ? AnalysisStatus.Stopped : id == failing ? AnalysisStatus.Failed : AnalysisStatus.Executed, record.Reason);
        }

        DateTime.UtcNow.Should().BeBefore(outageEnds, "the analyses progress and finish during the outage");
        all.ToDictionary(id => id, id => HubMirror.Status(h, id)).Should().Equal(hubBefore, "nothing reaches the Hub while it is down");
        (await h.Database.CountAsync("SELECT count(*) FROM hub_sync WHERE last_error IS NOT NULL")).Should()
            .BeGreaterThan(0, "the PO tried to reach the Hub during the outage and kept its updates");
        await Task.Delay(outageEnds - DateTime.UtcNow);
        h.Sandbox.Faults.Clear();

        await HubMirror.WaitForDrainedAsync(h, TimeSpan.FromSeconds(90));
        foreach (var id in finishing)
        {
            await HubMirror.ShouldHoldAsync(h, id, AnalysisStatus.Executed, 100);
        }

        await HubMirror.ShouldHoldAsync(h, stoppedDuringOutage, AnalysisStatus.Stopped, null);
        await HubMirror.ShouldHoldAsync(h, failing, AnalysisStatus.Failed, null);
    }
}
