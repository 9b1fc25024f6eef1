using Xunit.Abstractions;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// The chaos suite: a seeded mix of analyses (ok, stuck, slow, pull-error, crashloop, oom, user stops
/// and deletes) while the Sandbox fails 10 % of the Kubernetes requests, the Hub is down for a while and the PO is
/// SIGKILLed and restarted at least three times; then every invariant is checked. It runs against the whole host
/// (<c>--target all</c>) and against the three processes of the Dapr mode, where the lifecycle is the one killed.
/// Small by default (CI); <c>FLAME_CHAOS_SIZE=200</c> for the large run (both modes), <c>FLAME_CHAOS_SEED</c> to
/// replay a run. The two run one after the other (one class). A run lasts as long as its slowest stuck analysis
/// takes through ten deployments, whatever the size: about 1.5 minutes with <c>--target all</c>, about 2.5 in
/// three-process mode, where each step of a transition is a workflow activity (a failed Kubernetes request costs an
/// activity retry, not a 0.2 s tick) and the status loop ticks once a second (a Dapr cron's fastest).
/// </summary>
public sealed class ChaosSuiteTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_faults_kills_and_a_hub_outage_every_analysis_ends_right_and_nothing_is_lost_or_left_behind()
    {
        var plan = ChaosPlan.FromEnvironment();
        var result = await RunAsync(plan, ChaosMode.AllInOne);

        result.Summary.Kills.Should().HaveCountGreaterThanOrEqualTo(3, "the host must be killed at least three times ({0})", plan.Reproduce)
            .And.Contain(k => k.At >= plan.OutageFrom && k.At < plan.OutageUntil, "one kill must fall in the Hub outage ({0})", plan.Reproduce);
        ShouldHoldEveryInvariant(plan, result);
    }

    [Fact]
    public async Task In_three_process_mode_under_faults_lifecycle_kills_and_a_hub_outage_every_analysis_ends_right_every_workflow_completes_and_nothing_is_lost()
    {
        var plan = ChaosPlan.FromEnvironment();
        var result = await RunAsync(plan, ChaosMode.ThreeProcess);

        result.Summary.Kills.Where(k => k.Process == "lifecycle").Should().HaveCountGreaterThanOrEqualTo(3, "the lifecycle must be killed at least three times ({0})", plan.Reproduce)
            .And.Contain(k => k.At >= plan.OutageFrom && k.At < plan.OutageUntil, "one lifecycle kill must fall in the Hub outage ({0})", plan.Reproduce);
        result.Facts.Workflows.Should().NotBeNullOrEmpty("the lifecycle runs its transitions as workflows in Dapr mode ({0})", plan.Reproduce);
        ShouldHoldEveryInvariant(plan, result);
    }

    private async Task<ChaosResult> RunAsync(ChaosPlan plan, ChaosMode mode)
    {
        output.WriteLine($"Chaos suite ({mode}): {plan.Reproduce} (set these to replay this run)");
        var result = await ChaosRun.ExecuteAsync(plan, mode, output.WriteLine);
        var path = result.Summary.Write();
        output.WriteLine(result.Summary.ToText());
        output.WriteLine($"Summary written to {path}");
        return result;
    }

    private static void ShouldHoldEveryInvariant(ChaosPlan plan, ChaosResult result) =>
        result.Violations.Should().BeEmpty(
            "every invariant must hold after the chaos run (replay with {0}); broken:\n{1}",
            plan.Reproduce,
            string.Join("\n", result.Violations));
}
