using System.Globalization;

using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;

using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// Pure rules that group the steps <see cref="LifecycleDecision.Decide"/> chooses into transitions. The decision
/// function still decides every step; this only says which transition a decided step belongs to, which waits a
/// transition sleeps through, and the deterministic workflow instance id of a transition.
/// </summary>
public static class TransitionPlan
{
    /// <summary>The transition the record is in, or null for a running (or finished) analysis.</summary>
    public static TransitionKind? InFlight(AnalysisRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record switch
        {
            { Desired: DesiredState.Deleted, Phase: LifecyclePhase.Finalizing or LifecyclePhase.Finished } => TransitionKind.Delete,
            { Phase: LifecyclePhase.Finalizing } => TransitionKind.Stop,
            { Phase: LifecyclePhase.Restarting } => TransitionKind.Restart,
            { Phase: LifecyclePhase.Active, Desired: DesiredState.Running } when record.Status == AnalysisStatus.Starting => TransitionKind.Start,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="action"/> is a step of <paramref name="kind"/> (carried out by its workflow in Dapr mode).</summary>
    public static bool IsStep(TransitionKind kind, LifecycleAction action) => kind switch
    {
        TransitionKind.Start => action is CreateObjects or DeleteStaleObjects or RefreshToken,
        TransitionKind.Restart => action is ArchiveDeployment or DeleteDeploymentObjects or Redeploy,
        TransitionKind.Stop => action is ArchiveDeployment or DeleteAllObjects or DeleteKeycloakClient or Complete,
        TransitionKind.Delete => action is ArchiveDeployment or DeleteAllObjects or DeleteKeycloakClient or Complete or Forget,
        _ => false,
    };

    /// <summary>The step <paramref name="action"/> of the transition the record is in, if it is one.</summary>
    public static TransitionKind? StepOf(AnalysisRecord record, LifecycleAction action) =>
        InFlight(record) is { } kind && IsStep(kind, action) ? kind : null;

    /// <summary>Waits inside a transition: a start waits for the pod's address, a restart for its back-off.</summary>
    public static bool SleepsThrough(TransitionKind kind, Wait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        return (kind, wait.For) is (TransitionKind.Start, WaitFor.PodAddress or WaitFor.NodeServices) or (TransitionKind.Restart, WaitFor.RestartBackOff);
    }

    /// <summary>
    /// Tells incarnations of one analysis id apart (an analysis deleted and created again must not find the
    /// finished workflows of its predecessor): the creation time of the record in Unix milliseconds.
    /// </summary>
    public static long Incarnation(AnalysisRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.CreatedAt.ToUnixTimeMilliseconds();
    }

    /// <summary>
    /// One instance per transition: <c>{analysis}-start-{deployment}-{incarnation}</c>,
    /// <c>{analysis}-restart-{deployment}-{incarnation}</c> (the deployment being replaced),
    /// <c>{analysis}-stop-{incarnation}</c>, <c>{analysis}-delete-{incarnation}</c>.
    /// </summary>
    public static string InstanceId(TransitionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var incarnation = input.Incarnation.ToString(CultureInfo.InvariantCulture);
        var deployment = input.Deployment.ToString(CultureInfo.InvariantCulture);
        return input.Kind switch
        {
            TransitionKind.Start => $"{input.AnalysisId}-start-{deployment}-{incarnation}",
            TransitionKind.Restart => $"{input.AnalysisId}-restart-{deployment}-{incarnation}",
            TransitionKind.Stop => $"{input.AnalysisId}-stop-{incarnation}",
            _ => $"{input.AnalysisId}-delete-{incarnation}",
        };
    }
}
