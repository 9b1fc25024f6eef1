using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;
using FluentAssertions;
using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;
using static Flame.Po.Tests.Lifecycle.Decision.DecisionFixtures;

namespace Flame.Po.Tests.Lifecycle.Decision;

/// <summary>
/// The whole truth table: every combination of status, phase, desired state, restart counter, objects present,
/// Secrets, pod state and probe outcome (~110,000 rows) is decided, and each decision must satisfy the rules
/// that make the lifecycle safe. Each rule names the old service's bug it prevents (docs/compatibility.md#bugs).
/// </summary>
public sealed class DecisionInvariantTests
{
    private static readonly PodObservation?[] Pods =
    [
        null,
        new PodObservation { Phase = "Pending" },
        new PodObservation { Phase = "Pending", PodIp = "10.0.0.7", WaitingReason = "ContainerCreating" },
        new PodObservation { Phase = "Pending", PodIp = "10.0.0.7", WaitingReason = "ImagePullBackOff", WaitingMessage = "not found" },
        new PodObservation { Phase = "Pending", UnschedulableMessage = "0/1 nodes are available" },
        RunningPod,
        new PodObservation { Phase = "Running", PodIp = "10.0.0.7", WaitingReason = "CrashLoopBackOff", TerminatedReason = "Error", ExitCode = 1, RestartCount = 3 },
        new PodObservation { Phase = "Running", PodIp = "10.0.0.7", ContainerRunning = true, TerminatedReason = "OOMKilled", ExitCode = 137, RestartCount = 1 },
        new PodObservation { Phase = "Failed", PodIp = "10.0.0.7", CurrentlyTerminated = true, TerminatedReason = "Error", ExitCode = 2 },
    ];

    private static readonly ProbeResult?[] Probes =
    [
        null, ProbeResult.Unreachable("refused"),
        .. new[] { "executing", "executed", "stuck", "failed", "stopped", "starting" }.Select(s => ProbeResult.Reported(s)),
    ];

    private static readonly DeploymentObjects[] ObjectSets = [DeploymentObjects.None, DeploymentObjects.BeforeNginx, DeploymentObjects.All];

    public static IEnumerable<(AnalysisRecord Record, AnalysisObservation Observation, DateTimeOffset Now)> Table() =>
        from status in AnalysisStatus.All
        from phase in Enum.GetValues<LifecyclePhase>()
        from desired in Enum.GetValues<DesiredState>()
        from counter in new[] { 1, 10 }
        from pendingLong in new[] { false, true }
        from present in ObjectSets
        from stale in new[] { false, true }
        from secrets in new[] { true, false }
        from pod in Pods
        from probe in Probes
        select (Row(status, phase, desired, counter, pendingLong), Observe(present, stale, secrets, pod, probe), Now);

    private static AnalysisRecord Row(string status, LifecyclePhase phase, DesiredState desired, int counter, bool pendingLong) =>
        Record(status, phase, counter) with
        {
            Desired = desired,
            DeployedAt = pendingLong ? Now - TimeSpan.FromHours(1) : Now - TimeSpan.FromSeconds(5),
            ArchivedDeployment = pendingLong ? "analysis-3f2b8c1e-6d4a-4e8b-9c7d-1a2b3c4d5e6f-" + counter : null,
            RestartAfter = pendingLong ? Now - TimeSpan.FromSeconds(1) : Now + TimeSpan.FromMinutes(1),
        };

    private static AnalysisObservation Observe(DeploymentObjects present, bool stale, bool secrets, PodObservation? pod, ProbeResult? probe) => new()
    {
        Present = present,
        StaleDeploymentObjects = stale,
        SecretsPresent = secrets,
        AnyObjectPresent = present != DeploymentObjects.None || stale || secrets,
        AnalysisPod = pod,
        NginxReady = present == DeploymentObjects.All && pod?.ContainerRunning == true,
        Probe = probe,
    };

    [Fact]
    public void Every_combination_is_decided_without_error()
    {
        var count = 0;
        foreach (var (record, observation, now) in Table())
        {
            LifecycleDecision.Decide(record, observation, now, Policy).Should().NotBeNull();
            count++;
        }

        count.Should().BeGreaterThan(100_000);
    }

    [Fact]
    public void A_user_stop_or_delete_always_wins_over_automatic_actions_B1()
    {
        foreach (var (record, observation, now) in Table().Where(r => r.Record.Desired != DesiredState.Running && r.Record.Phase is LifecyclePhase.Active or LifecyclePhase.Restarting))
        {
            LifecycleDecision.Decide(record, observation, now, Policy).Should().BeOfType<Terminate>()
                .Which.Status.Should().Be(AnalysisStatus.Stopped);
        }
    }

    [Fact]
    public void Nothing_is_ever_created_or_restarted_for_a_stopped_deleted_or_terminal_analysis()
    {
        foreach (var (record, observation, now) in Table().Where(r => r.Record.Desired != DesiredState.Running || r.Record.Phase is LifecyclePhase.Finalizing or LifecyclePhase.Finished))
        {
            var action = LifecycleDecision.Decide(record, observation, now, Policy);
            action.Should().NotBeOfType<CreateObjects>().And.NotBeOfType<Redeploy>().And.NotBeOfType<BeginRestart>().And.NotBeOfType<RefreshToken>();
            if (record.Phase is LifecyclePhase.Finalizing or LifecyclePhase.Finished)
            {
                action.Should().NotBeOfType<Terminate>().And.NotBeOfType<SetStatus>();
            }
        }
    }

    [Fact]
    public void Never_two_deployments_at_once_a_redeploy_waits_until_the_old_objects_are_gone()
    {
        foreach (var (record, observation, now) in Table())
        {
            if (LifecycleDecision.Decide(record, observation, now, Policy) is Redeploy)
            {
                observation.Present.Should().Be(DeploymentObjects.None);
                observation.StaleDeploymentObjects.Should().BeFalse();
                record.Phase.Should().Be(LifecyclePhase.Restarting);
                record.ArchivedDeployment.Should().Be(record.DeploymentName, "logs are archived before anything is deleted");
            }
        }
    }

    [Fact]
    public void The_restart_budget_is_never_exceeded()
    {
        foreach (var (record, observation, now) in Table().Where(r => r.Record.RestartCounter >= LifecyclePolicy.MaxDeployments))
        {
            LifecycleDecision.Decide(record, observation, now, Policy).Should().NotBeOfType<BeginRestart>();
        }
    }

    [Fact]
    public void Nginx_is_created_only_with_the_analysis_pod_address_and_after_the_policies_B21()
    {
        foreach (var (record, observation, now) in Table())
        {
            if (LifecycleDecision.Decide(record, observation, now, Policy) is CreateObjects create)
            {
                if ((create.Missing & DeploymentObjects.Nginx) != DeploymentObjects.None)
                {
                    observation.AnalysisPod?.PodIp.Should().NotBeNull();
                    (observation.Present & DeploymentObjects.BeforeNginx).Should().Be(DeploymentObjects.BeforeNginx);
                }

                observation.SecretsPresent.Should().BeTrue();
                record.TokenRefreshAt.Should().NotBeNull("the credentials Secret holds a Keycloak token before pods start");
            }
        }
    }

    [Fact]
    public void Pod_failures_are_reported_with_their_Kubernetes_reason()
    {
        foreach (var (record, observation, now) in Table().Where(r => r.Record.Desired == DesiredState.Running && r.Record.Phase == LifecyclePhase.Active && r.Observation is { SecretsPresent: true, StaleDeploymentObjects: false, Present: not DeploymentObjects.None }))
        {
            var action = LifecycleDecision.Decide(record, observation, now, Policy);
            var pod = observation.AnalysisPod;
            if (pod?.TerminatedReason == "OOMKilled")
            {
                action.Should().BeOfType<Terminate>().Which.Reason.Should().StartWith("OOMKilled");
            }
            else if (pod?.WaitingReason == "CrashLoopBackOff")
            {
                action.Should().BeOfType<Terminate>().Which.Reason.Should().StartWith("CrashLoopBackOff");
            }
            else if (pod?.IsPullError == true)
            {
                var expected = now - record.DeployedAt >= Policy.PendingTimeout;
                (action is Terminate { Reason: var reason } && reason.StartsWith("ImagePullBackOff", StringComparison.Ordinal)).Should().Be(expected);
            }
            else if (pod?.UnschedulableMessage is not null)
            {
                var expected = now - record.DeployedAt >= Policy.PendingTimeout;
                (action is Terminate { Reason: var reason } && reason.StartsWith("Unschedulable", StringComparison.Ordinal)).Should().Be(expected);
            }
        }
    }

    [Fact]
    public void Every_status_change_writes_exactly_one_event_and_no_other_step_writes_any()
    {
        foreach (var (record, observation, now) in Table().Where(r => r.Record.PendingEvents.Count == 0))
        {
            var action = LifecycleDecision.Decide(record, observation, now, Policy);
            if (action is Wait or CreateObjects or DeleteStaleObjects or DeleteDeploymentObjects or DeleteAllObjects or RefreshToken or UpdateNginxConfig or Forget)
            {
                continue;
            }

            var updated = RecordTransitions.Apply(record, action, now, Policy);
            var changed = updated.Status != record.Status || updated.Reason != record.Reason;
            updated.PendingEvents.Should().HaveCount(changed ? 1 : 0, action.ToString());
            if (changed)
            {
                updated.PendingEvents[0].Should().Match<AnalysisEvent>(e => e.From == record.Status && e.To == updated.Status && e.Sequence == record.Sequence + 1);
            }
        }
    }
}
