using System.Globalization;

using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;

using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// The pure decision function of the reconciler: <c>(record, observation, now) → next step</c>. It replaces the
/// old service's db_status × int_status table with Kubernetes-first rules (docs/compatibility.md#decisions):
/// the user's stop/delete wins, pod failures are read from pod status with their reason, "slow" is judged only
/// after the container runs and the grace expires, partner-driven stops stay <c>stopped</c> (docs/compatibility.md#b5).
/// </summary>
public static class LifecycleDecision
{
    public static LifecycleAction Decide(AnalysisRecord record, AnalysisObservation observation, DateTimeOffset now, LifecyclePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(policy);

        if (record.Desired != DesiredState.Running && record.Phase is LifecyclePhase.Active or LifecyclePhase.Restarting or LifecyclePhase.Queued)
        {
            return new Terminate(AnalysisStatus.Stopped, record.Desired == DesiredState.Deleted ? StopReasons.DeletedByUser : StopReasons.StoppedByUser);
        }

        return record.Phase switch
        {
            LifecyclePhase.Finished => DecideFinished(record, observation),
            LifecyclePhase.Finalizing => DecideFinalizing(record, observation),
            LifecyclePhase.Restarting => DecideRestarting(record, observation, now),
            LifecyclePhase.Queued => observation.Admitted ? new Admit() : new Wait("queued until an analysis slot is free (MAX_CONCURRENT_ANALYSES)", WaitFor.Admission),
            _ => DecideActive(record, observation, now, policy),
        };
    }

    /// <summary>Executed analyses and deleted ones lose their Keycloak client (docs/compatibility.md#keycloak-clients).</summary>
    public static bool KeycloakClientDue(AnalysisRecord record) =>
        record.Status == AnalysisStatus.Executed || record.Desired == DesiredState.Deleted;

    private static LifecycleAction DecideFinished(AnalysisRecord record, AnalysisObservation observation)
    {
        if (observation.AnyObjectPresent)
        {
            return new DeleteAllObjects();
        }

        if (record.Desired == DesiredState.Deleted)
        {
            return record.KeycloakClientDeleted ? new Forget() : new DeleteKeycloakClient();
        }

        return new Wait("finished");
    }

    private static LifecycleAction DecideFinalizing(AnalysisRecord record, AnalysisObservation observation)
    {
        if (record.ArchivedDeployment != record.DeploymentName)
        {
            return new ArchiveDeployment();
        }

        if (observation.AnyObjectPresent)
        {
            return new DeleteAllObjects();
        }

        if (KeycloakClientDue(record) && !record.KeycloakClientDeleted)
        {
            return new DeleteKeycloakClient();
        }

        return new Complete();
    }

    private static LifecycleAction DecideRestarting(AnalysisRecord record, AnalysisObservation observation, DateTimeOffset now)
    {
        if (record.ArchivedDeployment != record.DeploymentName)
        {
            return new ArchiveDeployment();
        }

        if (observation.Present != DeploymentObjects.None || observation.StaleDeploymentObjects)
        {
            return new DeleteDeploymentObjects();
        }

        if (record.RestartAfter is { } after && now < after)
        {
            return new Wait($"restart back-off until {after.ToString("O", CultureInfo.InvariantCulture)}", WaitFor.RestartBackOff, after);
        }

        return new Redeploy();
    }

    private static LifecycleAction DecideActive(AnalysisRecord record, AnalysisObservation observation, DateTimeOffset now, LifecyclePolicy policy)
    {
        if (observation.StaleDeploymentObjects)
        {
            return new DeleteStaleObjects();
        }

        if (!observation.SecretsPresent)
        {
            return new Terminate(AnalysisStatus.Failed, "The analysis' pull or credentials Secret is missing from the cluster; delete the analysis and create it again.");
        }

        if (record.TokenRefreshAt is null)
        {
            return new RefreshToken();
        }

        var missingFirst = DeploymentObjects.BeforeNginx & ~observation.Present;
        if (missingFirst != DeploymentObjects.None)
        {
            return new CreateObjects(missingFirst);
        }

        var pod = observation.AnalysisPod;
        if (pod is not null && PodFailure(record, pod, now, policy) is { } failure)
        {
            return failure;
        }

        var missingNginx = DeploymentObjects.Nginx & ~observation.Present;
        if (missingNginx != DeploymentObjects.None)
        {
            if (pod?.PodIp is null)
            {
                return new Wait("waiting for the analysis pod to get an IP address", WaitFor.PodAddress);
            }

            return observation.NodeServicesKnown
                ? new CreateObjects(missingNginx)
                : new Wait("waiting for the node services nginx forwards to", WaitFor.NodeServices);
        }

        if (observation.NginxConfigStale && observation.NodeServicesKnown)
        {
            return new UpdateNginxConfig();
        }

        if (pod is null || !pod.ContainerRunning)
        {
            return new Wait(pod?.WaitingReason is { } reason ? $"waiting for the analysis container ({reason})" : "waiting for the analysis container to run");
        }

        if (record.Status == AnalysisStatus.Starting)
        {
            return new SetStatus(AnalysisStatus.Started, ContainerStartedAt: now);
        }

        return DecideRunning(record, observation, now, policy);
    }

    private static Terminate? PodFailure(AnalysisRecord record, PodObservation pod, DateTimeOffset now, LifecyclePolicy policy)
    {
        var pendingTooLong = now - record.DeployedAt >= policy.PendingTimeout;
        if (pod.UnschedulableMessage is { } unschedulable && pendingTooLong)
        {
            return new Terminate(AnalysisStatus.Failed, $"Unschedulable: {unschedulable}");
        }

        if ((pod.IsPullError || pod.IsConfigError) && pendingTooLong)
        {
            return new Terminate(AnalysisStatus.Failed, Reason(pod.WaitingReason!, pod.WaitingMessage));
        }

        if (pod.TerminatedReason == "OOMKilled")
        {
            return new Terminate(AnalysisStatus.Failed, $"OOMKilled: the analysis container ran out of memory (exit code {Code(pod.ExitCode ?? 137)}).");
        }

        if (pod.WaitingReason == "CrashLoopBackOff")
        {
            return new Terminate(AnalysisStatus.Failed, $"CrashLoopBackOff: the analysis container keeps exiting ({pod.TerminatedReason ?? "Error"}, exit code {Code(pod.ExitCode ?? 1)}).");
        }

        if (pod.Phase is "Failed" or "Succeeded")
        {
            return new Terminate(AnalysisStatus.Failed, $"The analysis pod ended ({pod.Phase}, {pod.TerminatedReason ?? "no reason"}, exit code {Code(pod.ExitCode ?? -1)}).");
        }

        return null;
    }

    private static LifecycleAction DecideRunning(AnalysisRecord record, AnalysisObservation observation, DateTimeOffset now, LifecyclePolicy policy)
    {
        var probe = observation.NginxReady ? observation.Probe : null;
        if (probe is { Answered: true })
        {
            switch (probe.Status)
            {
                case AnalysisStatus.Executed:
                    return new Terminate(AnalysisStatus.Executed, TransitionReasons.Finished);
                case AnalysisStatus.Stuck:
                    return Restart(record, TransitionReasons.Restart(TransitionReasons.Stuck, "the analysis could not reach a node service"));
                case AnalysisStatus.Failed:
                    return new Terminate(AnalysisStatus.Failed, TransitionReasons.AnalysisReportedFailure);
                case AnalysisStatus.Stopped:
                    return new Terminate(AnalysisStatus.Stopped, StopReasons.StoppedByPartner);
                case AnalysisStatus.Executing:
                    if (record.UnhealthySince is not null)
                    {
                        return new SetUnhealthySince(null);
                    }

                    if (record.Status != AnalysisStatus.Executing)
                    {
                        return new SetStatus(AnalysisStatus.Executing);
                    }

                    break;
                default:
                    if (StartupOverdue(record, now, policy))
                    {
                        return Restart(record, TransitionReasons.Restart(TransitionReasons.Slow, $"the analysis still reports '{probe.Status}' after the start-up grace"));
                    }

                    break;
            }

            return record.TokenRefreshAt is { } refreshAt && now >= refreshAt
                ? new RefreshToken()
                : new Wait("running");
        }

        if (record.Status != AnalysisStatus.Executing)
        {
            return StartupOverdue(record, now, policy)
                ? Restart(record, TransitionReasons.Restart(TransitionReasons.Slow, $"no answer from the analysis within the start-up grace ({probe?.Error ?? "nginx not ready"})"))
                : new Wait("waiting for the analysis to answer");
        }

        if (record.UnhealthySince is not { } since)
        {
            return new SetUnhealthySince(now);
        }

        return now - since >= policy.UnresponsiveTimeout
            ? Restart(record, TransitionReasons.Restart(TransitionReasons.Unresponsive, $"no answer from the analysis since {since.ToString("O", CultureInfo.InvariantCulture)} ({probe?.Error ?? "nginx not ready"})"))
            : new Wait("the analysis does not answer; within tolerance");
    }

    private static bool StartupOverdue(AnalysisRecord record, DateTimeOffset now, LifecyclePolicy policy) =>
        record.Status == AnalysisStatus.Started && now - (record.ContainerStartedAt ?? record.DeployedAt) >= policy.StartupGrace;

    /// <summary>Restart unless the budget of 10 deployments is used up (docs/compatibility.md#restarts).</summary>
    private static LifecycleAction Restart(AnalysisRecord record, string reason) =>
        record.RestartCounter >= LifecyclePolicy.MaxDeployments
            ? new Terminate(AnalysisStatus.Failed, $"{reason} [restart {Code(record.RestartCounter)} of {Code(LifecyclePolicy.MaxDeployments)}]; {TransitionReasons.NoRestartsLeft}")
            : new BeginRestart(reason);

    private static string Reason(string reason, string? message) => string.IsNullOrWhiteSpace(message) ? reason : $"{reason}: {message}";

    private static string Code(int value) => value.ToString(CultureInfo.InvariantCulture);
}
