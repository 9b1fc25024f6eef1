using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.Faults;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Reconciler;
using Xunit.Abstractions;

namespace Flame.Po.IntegrationTests.LogService;

/// <summary>
/// Found by the chaos suite's reasoning about kills: with the embedded building blocks the lifecycle
/// cleared an analysis' event outbox as soon as the in-process bus had queued the events in memory, so a host killed
/// right after that lost the transition — a terminal status then never reached the Hub. The host is killed exactly
/// there (fault point <c>after:FlushEvents:&lt;status&gt;</c>); a fresh host must still deliver the terminal status.
/// </summary>
public sealed class HubCrashTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["HUB_SYNC_INTERVAL"] = "0.2",
        ["HUB_RETRY_MAX"] = "3",
        ["LOG_LEVEL"] = "warning",
    };

    /// <summary>Only the killable process talks to the Hub; the in-process host takes the create command.</summary>
    private static readonly Dictionary<string, string?> InProcess = new()
    {
        ["HUB_URL_CORE"] = "",
        ["HUB_URL_AUTH"] = "",
        ["HUB_CLIENT_ID"] = "",
        ["HUB_CLIENT_SECRET"] = "",
    };

    [Theory]
    [InlineData("harbor.sandbox.local/sim/oom", AnalysisStatus.Failed)]
    [InlineData("harbor.sandbox.local/sim/ok:runtime-100s_progress-2", AnalysisStatus.Executed)]
    public async Task A_host_killed_right_after_publishing_a_terminal_status_still_reports_it_to_the_hub(string image, string terminal)
    {
        await using var h = await LifecycleHarness.StartAsync(Settings, commandsOnly: true, hub: true, inProcessOverrides: InProcess);
        var id = Guid.NewGuid().ToString();
        h.Sandbox.Hub.RegisterAnalysis(id);
        (await h.Commands.CreateAsync(LifecycleHarness.Create(image, id), CancellationToken.None)).Kind.Should().Be(CommandOutcomeKind.Accepted);

        await using (var killed = HostProcess.Start(["--target", "all", "--urls", "http://127.0.0.1:0"], Environment(h, LifecycleFaultPoints.AfterFlushEvents(terminal))))
        {
            var exit = await killed.WaitForExitAsync(TimeSpan.FromSeconds(90));
            exit.Should().Be(137, $"the host must die right after flushing the {terminal} event; output:\n{killed.Output}");
        }

        var record = (await h.Repository.GetAsync(id, CancellationToken.None))!.Record;
        record.Status.Should().Be(terminal);
        record.PendingEvents.Should().BeEmpty("the outbox was cleared before the kill");

        // The killed host may have held the analysis' Hub lease: leases are short (HubDelivery.Lease) and renewed only
        // while a delivery runs, so its successor takes the work over within seconds of being up again. The bound
        // starts when the restarted host is ready: a cold process start on a loaded machine is not Hub delivery.
        var started = DateTime.UtcNow;
        var port = FreePort.Next();
        await using var recovery = HostProcess.Start(["--target", "all", "--urls", $"http://127.0.0.1:{port}"], Environment(h, null));
        await recovery.WaitForReadyAsync(new Uri($"http://127.0.0.1:{port}"));
        var restarted = DateTime.UtcNow;
        var resumeDeadline = restarted + TimeSpan.FromSeconds(15);
        while (HubMirror.Status(h, id) != terminal)
        {
            DateTime.UtcNow.Should().BeBefore(resumeDeadline, "Hub delivery must resume within 15 s of the restart; host output:\n{0}", recovery.Output);
            await Task.Delay(100);
        }

        output.WriteLine($"Hub delivery resumed {(DateTime.UtcNow - restarted).TotalSeconds:F1} s after the restarted host was ready ({(restarted - started).TotalSeconds:F1} s to start) ({terminal}).");
        await h.WaitForAsync(id, r => r.Phase == LifecyclePhase.Finished);
        await HubMirror.WaitForDrainedAsync(h, TimeSpan.FromSeconds(30), lines: false);
        HubMirror.Status(h, id).Should().Be(terminal, "the terminal status must reach the Hub although the host died right after publishing it");
        await recovery.StopAsync();
    }

    private static Dictionary<string, string?> Environment(LifecycleHarness h, string? faultPoint) =>
        new(h.Settings) { [FaultPoints.Variable] = faultPoint, ["LOG_LEVEL"] = "warning" };
}
