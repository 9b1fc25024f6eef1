using Xunit.Abstractions;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// The chaos suite: a seeded mix of analyses (ok, stuck, slow, pull-error, crashloop, oom, user stops
/// and deletes) while the Sandbox fails 10 % of the Kubernetes requests, the Hub is down for a while and the host is
/// SIGKILLed and restarted at least three times; then every invariant is checked. Small by default (CI);
/// <c>FLAME_CHAOS_SIZE=200</c> for the large run, <c>FLAME_CHAOS_SEED</c> to replay a run.
/// </summary>
public sealed class ChaosSuiteTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_faults_kills_and_a_hub_outage_every_analysis_ends_right_and_nothing_is_lost_or_left_behind()
    {
        var plan = ChaosPlan.FromEnvironment();
        output.WriteLine($"Chaos suite: {plan.Reproduce} (set these to replay this run)");

        var result = await ChaosRun.ExecuteAsync(plan, output.WriteLine);

        var path = result.Summary.Write();
        output.WriteLine(result.Summary.ToText());
        output.WriteLine($"Summary written to {path}");
        result.Summary.Kills.Should().HaveCountGreaterThanOrEqualTo(3, "the host must be killed at least three times ({0})", plan.Reproduce)
            .And.Contain(k => k.At >= plan.OutageFrom && k.At < plan.OutageUntil, "one kill must fall in the Hub outage ({0})", plan.Reproduce);
        result.Violations.Should().BeEmpty(
            "every invariant must hold after the chaos run (replay with {0}); broken:\n{1}",
            plan.Reproduce,
            string.Join("\n", result.Violations));
    }
}
