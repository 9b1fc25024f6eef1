using System.Text.Json;

using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.Transitions;
using FluentAssertions;

namespace Flame.Po.Tests.Lifecycle.Transitions;

/// <summary>The transition workflow with a substituted context: what it runs, in which order, how it waits, what it shows.</summary>
public sealed class TransitionWorkflowTests
{
    private static readonly DateTime Start = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TransitionInput Input = new("3f2b8c1e-6d4a-4e8b-9c7d-1a2b3c4d5e6f", 1_765_000_000_000, TransitionKind.Start, 2);

    private static ScriptedWorkflowContext Script(params TransitionStep[] decisions)
    {
        var queue = new Queue<TransitionStep>(decisions);
        return new ScriptedWorkflowContext(
            (name, _) => name == nameof(DecideTransitionStepActivity) ? queue.Dequeue() : StepOutcome.Applied,
            Start);
    }

    [Fact]
    public async Task A_start_runs_each_decided_step_and_sleeps_through_the_wait_for_the_pod_address()
    {
        var context = Script(
            TransitionStep.Run(nameof(LifecycleAction.RefreshToken), "RefreshToken"),
            TransitionStep.Run(nameof(LifecycleAction.CreateObjects), "CreateObjects { Missing = BeforeNginx }"),
            TransitionStep.Sleep("waiting for the analysis pod to get an IP address", null),
            TransitionStep.Sleep("waiting for the analysis pod to get an IP address", null),
            TransitionStep.Run(nameof(LifecycleAction.CreateObjects), "CreateObjects { Missing = Nginx }"),
            TransitionStep.Done("waiting for the analysis container to run"));

        var result = await new StartDeploymentWorkflow().RunAsync(context, Input);

        context.Calls.Should().Equal(
            "DecideTransitionStepActivity", "RefreshTokenActivity",
            "DecideTransitionStepActivity", "CreateObjectsActivity",
            "DecideTransitionStepActivity", "timer",
            "DecideTransitionStepActivity", "timer",
            "DecideTransitionStepActivity", "CreateObjectsActivity",
            "DecideTransitionStepActivity");
        context.Timers.Should().Equal(Start.AddMilliseconds(250), Start.AddMilliseconds(750));
        context.ActivityInputs.Should().AllBeEquivalentTo(Input, "every activity gets the transition's input and nothing else");
        context.ActivityOptions.Should().AllSatisfy(o => o!.RetryPolicy!.MaxNumberOfAttempts.Should().BeGreaterThan(1));
        result.Should().Be(new TransitionResult(3, "waiting for the analysis container to run"));
        context.ContinuedAsNew.Should().BeFalse();

        var statuses = context.CustomStatuses.Cast<TransitionProgress>().ToList();
        statuses.Select(s => (s.StepNumber, s.Step, s.State)).Should().Equal(
            (1, "RefreshToken", "running"), (2, "CreateObjects", "running"), (2, null, "waiting"), (2, null, "waiting"), (3, "CreateObjects", "running"), (3, null, "done"));
        statuses.Should().AllSatisfy(s =>
        {
            s.Transition.Should().Be("start");
            s.AnalysisId.Should().Be(Input.AnalysisId);
            s.Deployment.Should().Be(2);
            s.MaxDeployments.Should().Be(LifecyclePolicy.MaxDeployments);
        });
    }

    [Fact]
    public async Task A_restart_waits_out_its_back_off_on_a_durable_timer_until_the_decided_time()
    {
        var until = new DateTimeOffset(Start.AddSeconds(42));
        var context = Script(
            TransitionStep.Run(nameof(LifecycleAction.ArchiveDeployment), "ArchiveDeployment"),
            TransitionStep.Run(nameof(LifecycleAction.DeleteDeploymentObjects), "DeleteDeploymentObjects"),
            TransitionStep.Sleep("restart back-off", until),
            TransitionStep.Run(nameof(LifecycleAction.Redeploy), "Redeploy"),
            TransitionStep.Done("the analysis moved on"));

        var result = await new RestartDeploymentWorkflow().RunAsync(context, Input with { Kind = TransitionKind.Restart });

        context.Calls.Where(c => c != "DecideTransitionStepActivity").Should().Equal("ArchiveDeploymentActivity", "DeleteDeploymentObjectsActivity", "timer", "RedeployActivity");
        context.Timers.Should().Equal(until.UtcDateTime);
        result.Steps.Should().Be(3);
    }

    [Fact]
    public async Task A_back_off_already_over_fires_at_once_not_in_the_past()
    {
        var context = Script(TransitionStep.Sleep("restart back-off", new DateTimeOffset(Start.AddMinutes(-5))), TransitionStep.Done("over"));

        await new RestartDeploymentWorkflow().RunAsync(context, Input with { Kind = TransitionKind.Restart });

        context.Timers.Should().Equal(Start);
    }

    [Fact]
    public async Task A_long_wait_continues_as_new_with_the_same_input_to_keep_the_history_small()
    {
        var context = new ScriptedWorkflowContext((name, _) => TransitionStep.Sleep("waiting for the node services nginx forwards to", null), Start);

        await new StartDeploymentWorkflow().RunAsync(context, Input);

        context.Calls.Count(c => c == "DecideTransitionStepActivity").Should().Be(TransitionWorkflow.DecisionsPerRun);
        context.ContinuedAsNew.Should().BeTrue();
        context.ContinuedWith.Should().Be(Input);
    }

    [Fact]
    public async Task A_transition_already_over_runs_no_step()
    {
        var context = Script(TransitionStep.Done("the analysis is gone"));

        var result = await new DeleteAnalysisWorkflow().RunAsync(context, Input with { Kind = TransitionKind.Delete });

        context.Calls.Should().Equal("DecideTransitionStepActivity");
        result.Should().Be(new TransitionResult(0, "the analysis is gone"));
    }

    [Fact]
    public void Inputs_and_custom_status_carry_no_credential_field()
    {
        // Workflow history is stored in clear: only the analysis' name and counters may enter it.
        JsonSerializer.Serialize(Input).Should().Be($$"""{"AnalysisId":"{{Input.AnalysisId}}","Incarnation":{{Input.Incarnation}},"Kind":"Start","Deployment":2}""");
        typeof(TransitionProgress).GetProperties().Select(p => p.Name).Should().BeEquivalentTo(
            "Transition", "AnalysisId", "Deployment", "MaxDeployments", "StepNumber", "Step", "State", "Detail");
        typeof(TransitionStep).GetProperties().Select(p => p.Name).Should().BeEquivalentTo("Kind", "Step", "Why", "Until");
    }
}
