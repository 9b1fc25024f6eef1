using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;
using FluentAssertions;
using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;
using static Flame.Po.Tests.Lifecycle.Decision.DecisionFixtures;

namespace Flame.Po.Tests.Lifecycle.Decision;

/// <summary>
/// The old service's decision table, row by row (db status × healthz outcome, docs/compatibility.md#decisions), with
/// the corrected behaviour: a reported failure is terminal (not a restart), a partner stop stays <c>stopped</c>
/// (docs/compatibility.md#b5), an unreachable analysis is
/// judged against explicit time budgets, and a failed analysis never turns executed.
/// </summary>
public sealed class AppendixBTests
{
    public static TheoryData<string, string, ProbeResult?, Type, string> Rows() => new()
    {
        { "started/executing → running", AnalysisStatus.Started, ProbeResult.Reported("executing"), typeof(SetStatus), AnalysisStatus.Executing },
        { "started/executed → finishing (speedy finish)", AnalysisStatus.Started, ProbeResult.Reported("executed"), typeof(Terminate), AnalysisStatus.Executed },
        { "started/stuck → restart", AnalysisStatus.Started, ProbeResult.Reported("stuck"), typeof(BeginRestart), "" },
        { "started/unreachable within grace → wait (was: unstuck after 10 s)", AnalysisStatus.Started, ProbeResult.Unreachable("connection refused"), typeof(Wait), "" },
        { "started/reported failed → failed (was: unstuck)", AnalysisStatus.Started, ProbeResult.Reported("failed"), typeof(Terminate), AnalysisStatus.Failed },
        { "started/reported starting within grace → wait", AnalysisStatus.Started, ProbeResult.Reported("starting"), typeof(Wait), "" },
        { "executing/executing → none", AnalysisStatus.Executing, ProbeResult.Reported("executing"), typeof(Wait), "" },
        { "executing/executed → finishing", AnalysisStatus.Executing, ProbeResult.Reported("executed"), typeof(Terminate), AnalysisStatus.Executed },
        { "executing/stuck → restart", AnalysisStatus.Executing, ProbeResult.Reported("stuck"), typeof(BeginRestart), "" },
        { "executing/reported failed → failed", AnalysisStatus.Executing, ProbeResult.Reported("failed"), typeof(Terminate), AnalysisStatus.Failed },
        { "executing/unreachable → remember first failure (was: failed at once)", AnalysisStatus.Executing, ProbeResult.Unreachable("HTTP 502"), typeof(SetUnhealthySince), "" },
        { "executing/stopped by partner → stopped (B5: was failed)", AnalysisStatus.Executing, ProbeResult.Reported("stopped"), typeof(Terminate), AnalysisStatus.Stopped },
        { "started/stopped by partner → stopped", AnalysisStatus.Started, ProbeResult.Reported("stopped"), typeof(Terminate), AnalysisStatus.Stopped },
        { "executing/no probe (nginx not ready) → remember first failure", AnalysisStatus.Executing, null, typeof(SetUnhealthySince), "" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Decides_each_row_of_appendix_B(string row, string status, ProbeResult? probe, Type expected, string expectedStatus)
    {
        var action = LifecycleDecision.Decide(Running(status), Healthy(probe), Now, Policy);

        action.Should().BeOfType(expected, row);
        if (action is Terminate terminate)
        {
            terminate.Status.Should().Be(expectedStatus, row);
        }

        if (action is SetStatus set)
        {
            set.Status.Should().Be(expectedStatus, row);
        }
    }

    [Fact]
    public void A_failed_analysis_never_becomes_executed_again()
    {
        // Old rule "failed × executed → finishing → executed" (Appendix B) is gone: terminal records only finalize.
        var record = Record(AnalysisStatus.Failed, LifecyclePhase.Finalizing);

        var action = LifecycleDecision.Decide(record, Healthy(ProbeResult.Reported("executed")), Now, Policy);

        action.Should().BeOfType<ArchiveDeployment>();
        RecordTransitions.Apply(record, action, Now, Policy).Status.Should().Be(AnalysisStatus.Failed);
    }

    [Theory]
    [InlineData(1, typeof(BeginRestart))]
    [InlineData(9, typeof(BeginRestart))]
    [InlineData(10, typeof(Terminate))]
    public void The_restart_budget_is_ten_deployments(int counter, Type expected)
    {
        var action = LifecycleDecision.Decide(Running(AnalysisStatus.Executing, counter), Healthy(ProbeResult.Reported("stuck")), Now, Policy);

        action.Should().BeOfType(expected);
        if (action is Terminate terminate)
        {
            terminate.Status.Should().Be(AnalysisStatus.Failed);
            terminate.Reason.Should().Contain("[restart 10 of 10]");
        }
    }

    [Fact]
    public void Slow_is_judged_only_after_the_start_up_grace_from_container_start()
    {
        var record = Running(AnalysisStatus.Started) with { ContainerStartedAt = Now - Policy.StartupGrace };

        LifecycleDecision.Decide(record, Healthy(ProbeResult.Unreachable("refused")), Now, Policy)
            .Should().BeOfType<BeginRestart>().Which.Reason.Should().StartWith("slow");
        LifecycleDecision.Decide(record with { ContainerStartedAt = Now - Policy.StartupGrace + TimeSpan.FromSeconds(1) }, Healthy(ProbeResult.Unreachable("refused")), Now, Policy)
            .Should().BeOfType<Wait>();
    }

    [Fact]
    public void An_unresponsive_executing_analysis_is_restarted_after_the_tolerance()
    {
        var record = Running(AnalysisStatus.Executing) with { UnhealthySince = Now - Policy.UnresponsiveTimeout };

        LifecycleDecision.Decide(record, Healthy(ProbeResult.Unreachable("timeout")), Now, Policy)
            .Should().BeOfType<BeginRestart>().Which.Reason.Should().StartWith("unresponsive");
        LifecycleDecision.Decide(record, Healthy(ProbeResult.Reported("executing")), Now, Policy)
            .Should().BeOfType<SetUnhealthySince>().Which.Since.Should().BeNull();
    }
}
