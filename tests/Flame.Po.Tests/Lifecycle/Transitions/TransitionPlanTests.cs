using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.Transitions;
using Flame.Po.Tests.Lifecycle.Decision;
using FluentAssertions;
using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;
using static Flame.Po.Tests.Lifecycle.Decision.DecisionFixtures;

namespace Flame.Po.Tests.Lifecycle.Transitions;

/// <summary>
/// How decided steps group into transitions (the workflows of Dapr mode). Checked as a table and against the
/// decision function's whole truth table, so a new step or phase cannot slip between the reconciler and a workflow.
/// </summary>
public sealed class TransitionPlanTests
{
    public static TheoryData<LifecyclePhase, DesiredState, string, TransitionKind?> InFlightRows()
    {
        var rows = new TheoryData<LifecyclePhase, DesiredState, string, TransitionKind?>();
        foreach (var status in AnalysisStatus.All)
        {
            foreach (var phase in Enum.GetValues<LifecyclePhase>())
            {
                foreach (var desired in Enum.GetValues<DesiredState>())
                {
                    TransitionKind? expected = (phase, desired) switch
                    {
                        (LifecyclePhase.Finalizing or LifecyclePhase.Finished, DesiredState.Deleted) => TransitionKind.Delete,
                        (LifecyclePhase.Finalizing, _) => TransitionKind.Stop,
                        (LifecyclePhase.Restarting, _) => TransitionKind.Restart,
                        (LifecyclePhase.Active, DesiredState.Running) when status == AnalysisStatus.Starting => TransitionKind.Start,
                        _ => null,
                    };
                    rows.Add(phase, desired, status, expected);
                }
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(InFlightRows))]
    public void The_record_alone_says_which_transition_is_in_flight(LifecyclePhase phase, DesiredState desired, string status, TransitionKind? expected) =>
        TransitionPlan.InFlight(Record(status, phase) with { Desired = desired }).Should().Be(expected);

    public static TheoryData<TransitionKind, string> Steps() => new()
    {
        { TransitionKind.Start, nameof(RefreshToken) },
        { TransitionKind.Start, nameof(CreateObjects) },
        { TransitionKind.Start, nameof(DeleteStaleObjects) },
        { TransitionKind.Restart, nameof(ArchiveDeployment) },
        { TransitionKind.Restart, nameof(DeleteDeploymentObjects) },
        { TransitionKind.Restart, nameof(Redeploy) },
        { TransitionKind.Stop, nameof(ArchiveDeployment) },
        { TransitionKind.Stop, nameof(DeleteAllObjects) },
        { TransitionKind.Stop, nameof(DeleteKeycloakClient) },
        { TransitionKind.Stop, nameof(Complete) },
        { TransitionKind.Delete, nameof(ArchiveDeployment) },
        { TransitionKind.Delete, nameof(DeleteAllObjects) },
        { TransitionKind.Delete, nameof(DeleteKeycloakClient) },
        { TransitionKind.Delete, nameof(Complete) },
        { TransitionKind.Delete, nameof(Forget) },
    };

    private static readonly LifecycleAction[] AllActions =
    [
        new Wait("x"), new CreateObjects(DeploymentObjects.BeforeNginx), new DeleteStaleObjects(), new SetStatus(AnalysisStatus.Started),
        new SetUnhealthySince(null), new BeginRestart("stuck"), new Terminate(AnalysisStatus.Failed, "x"), new ArchiveDeployment(),
        new DeleteDeploymentObjects(), new Redeploy(), new DeleteAllObjects(), new DeleteKeycloakClient(), new Complete(), new Forget(),
        new RefreshToken(), new UpdateNginxConfig(), new Admit(),
    ];

    [Fact]
    public void The_steps_of_each_transition_are_exactly_the_listed_ones()
    {
        var expected = Steps().Select(row => ((TransitionKind)row[0], (string)row[1])).ToHashSet();
        var actual = (from kind in Enum.GetValues<TransitionKind>()
                      from action in AllActions
                      where TransitionPlan.IsStep(kind, action)
                      select (kind, action.GetType().Name)).ToHashSet();
        actual.Should().BeEquivalentTo(expected);
        AllActions.Select(a => a.GetType()).Should().BeEquivalentTo(typeof(LifecycleAction).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(LifecycleAction))), "the table covers every action");
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void Every_step_has_its_activity_class(TransitionKind kind, string step)
    {
        var activity = typeof(StepActivity<>).Assembly.GetType($"{typeof(StepActivity<>).Namespace}.{TransitionWorkflow.ActivityNameOf(step)}");
        activity.Should().NotBeNull($"the {kind} step {step} is carried out by an activity of that name");
        activity!.BaseType!.GetGenericArguments().Single().Name.Should().Be(step);
    }

    [Fact]
    public void Over_the_whole_truth_table_decisions_that_open_a_transition_stay_with_the_reconciler_and_the_rest_of_a_transition_is_its_own()
    {
        var rows = 0;
        foreach (var (record, observation, now) in DecisionInvariantTests.Table())
        {
            var action = LifecycleDecision.Decide(record, observation, now, Policy);
            var inFlight = TransitionPlan.InFlight(record);
            if (action is BeginRestart or Terminate or SetStatus or SetUnhealthySince or Wait or UpdateNginxConfig)
            {
                TransitionPlan.StepOf(record, action).Should().BeNull($"{action} is the reconciler's ({record.Phase}, {record.Status})");
            }

            if (inFlight is TransitionKind.Restart or TransitionKind.Stop or TransitionKind.Delete && action is not (Wait or Terminate))
            {
                TransitionPlan.StepOf(record, action).Should().Be(inFlight, $"{action} in {record.Phase}/{record.Desired} belongs to the {inFlight} transition");
            }

            if (action is Wait wait && inFlight is { } kind && TransitionPlan.SleepsThrough(kind, wait))
            {
                (kind, wait.For).Should().BeOneOf((TransitionKind.Start, WaitFor.PodAddress), (TransitionKind.Start, WaitFor.NodeServices), (TransitionKind.Restart, WaitFor.RestartBackOff));
                if (wait.For == WaitFor.RestartBackOff)
                {
                    wait.Until.Should().Be(record.RestartAfter);
                }
            }

            rows++;
        }

        rows.Should().BeGreaterThan(100_000);
    }

    [Fact]
    public void Instance_ids_are_deterministic_per_transition_deployment_and_incarnation()
    {
        var record = Record(AnalysisStatus.Starting, counter: 3);
        var incarnation = record.CreatedAt.ToUnixTimeMilliseconds();
        TransitionInput.For(TransitionKind.Start, record).InstanceId.Should().Be($"{record.AnalysisId}-start-3-{incarnation}");
        TransitionInput.For(TransitionKind.Restart, record).InstanceId.Should().Be($"{record.AnalysisId}-restart-3-{incarnation}");
        TransitionInput.For(TransitionKind.Stop, record).InstanceId.Should().Be($"{record.AnalysisId}-stop-{incarnation}");
        TransitionInput.For(TransitionKind.Delete, record).InstanceId.Should().Be($"{record.AnalysisId}-delete-{incarnation}");
        TransitionInput.For(TransitionKind.Start, record).InstanceId.Should().Be(TransitionInput.For(TransitionKind.Start, record with { UpdatedAt = Now }).InstanceId);
        TransitionInput.For(TransitionKind.Start, record with { CreatedAt = record.CreatedAt.AddMilliseconds(1) }).InstanceId
            .Should().NotBe(TransitionInput.For(TransitionKind.Start, record).InstanceId, "an analysis created again is a new incarnation");
    }

    [Theory]
    [InlineData(0, 250)]
    [InlineData(1, 500)]
    [InlineData(2, 1_000)]
    [InlineData(4, 4_000)]
    [InlineData(5, 5_000)]
    [InlineData(50, 5_000)]
    public void Waits_for_the_cluster_grow_to_five_seconds(int consecutiveWaits, int milliseconds) =>
        TransitionWorkflow.WaitDelay(consecutiveWaits).Should().Be(TimeSpan.FromMilliseconds(milliseconds));
}
