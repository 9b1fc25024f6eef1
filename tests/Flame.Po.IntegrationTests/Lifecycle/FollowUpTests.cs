using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Commands;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// A create is advanced right away and looked at again while its pod is being scheduled, so every object exists
/// about a second after the request and not one status-loop interval later (here an hour: no tick helps).
/// </summary>
public sealed class FollowUpTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync(
        new Dictionary<string, string?> { ["STATUS_LOOP_INTERVAL"] = "3600", ["STARTUP_GRACE"] = "3600" },
        timeScale: 1);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_create_gets_all_its_objects_and_a_running_pod_without_waiting_for_a_tick()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-3000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);

        // A follow-up that finds the pod running also probes it, so the analysis may already be executing.
        var record = await _h.WaitForAsync(command.AnalysisId, r => r.Status is AnalysisStatus.Started or AnalysisStatus.Executing, TimeSpan.FromSeconds(20));

        _h.ObjectsOf(command.AnalysisId).Should().HaveCount(9, "two Secrets, two NetworkPolicies, two Deployments, two Services and the nginx ConfigMap");
        record.RestartCounter.Should().Be(1);
        var followUps = _h.Host.Services.GetRequiredService<ReconcileRequests>();
        await Wait.UntilAsync(() => followUps.Pending == 0, TimeSpan.FromSeconds(20), poll: TimeSpan.FromMilliseconds(50));

        followUps.Pending.Should().Be(0, "a started analysis is left to the status loop");
    }

    [Fact]
    public async Task An_analysis_whose_pod_never_gets_scheduled_is_looked_at_a_bounded_number_of_times()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/unschedulable");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        var followUps = _h.Host.Services.GetRequiredService<ReconcileRequests>();
        var budget = ReconcileRequests.RetryDelays.Aggregate(TimeSpan.Zero, (sum, d) => sum + d) + TimeSpan.FromSeconds(15);
        await Wait.UntilAsync(() => followUps.Pending == 0, budget, poll: TimeSpan.FromMilliseconds(50));

        followUps.Pending.Should().Be(0, "the follow-ups stop after their retries; the status loop carries on");
    }
}
