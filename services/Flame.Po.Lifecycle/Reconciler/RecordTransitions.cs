using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;

using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// The record change each step makes, pure. A status change appends exactly one event to the record's outbox
/// in the same write, so a crash can delay an event but never lose or duplicate the transition.
/// </summary>
public static class RecordTransitions
{
    public static AnalysisRecord Apply(AnalysisRecord record, LifecycleAction action, DateTimeOffset now, LifecyclePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(policy);
        var updated = action switch
        {
            SetStatus set => WithStatus(record, set.Status, set.Reason ?? record.Reason, now) with
            {
                ContainerStartedAt = set.ContainerStartedAt ?? record.ContainerStartedAt,
                UnhealthySince = null,
            },
            SetUnhealthySince unhealthy => record with { UnhealthySince = unhealthy.Since },
            BeginRestart restart => WithStatus(record, AnalysisStatus.Starting, restart.Reason, now) with
            {
                Phase = LifecyclePhase.Restarting,
                RestartAfter = now + policy.RestartBackoff(record.RestartCounter),
            },
            Terminate terminate => WithStatus(record, terminate.Status, terminate.Reason, now) with
            {
                Phase = LifecyclePhase.Finalizing,
                Progress = terminate.Status == AnalysisStatus.Executed ? 100 : record.Progress,
                RestartAfter = null,
                // A queued analysis never had a deployment: nothing to archive.
                ArchivedDeployment = record.Phase == LifecyclePhase.Queued ? record.DeploymentName : record.ArchivedDeployment,
            },
            Admit => record with { Phase = LifecyclePhase.Active, DeployedAt = now },
            ArchiveDeployment => record with { ArchivedDeployment = record.DeploymentName },
            Redeploy => Redeployed(record, now),
            DeleteKeycloakClient => record with { KeycloakClientDeleted = true },
            Complete => record with { Phase = LifecyclePhase.Finished },
            _ => throw new ArgumentException($"{action.GetType().Name} does not change the record by itself.", nameof(action)),
        };
        return updated with { UpdatedAt = now };
    }

    /// <summary>A new status with its one event; the same status again changes nothing and emits nothing.</summary>
    public static AnalysisRecord WithStatus(AnalysisRecord record, string status, string? reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Status == status && record.Reason == reason)
        {
            return record;
        }

        var sequence = record.Sequence + 1;
        var analysisEvent = new AnalysisEvent
        {
            EventId = $"{record.AnalysisId}:{sequence}",
            AnalysisId = record.AnalysisId,
            Sequence = sequence,
            DeploymentName = record.DeploymentName,
            From = record.Status,
            To = status,
            Reason = reason,
            RestartCounter = record.RestartCounter,
            Progress = status == AnalysisStatus.Executed ? 100 : record.Progress,
            Time = now,
        };
        return record with
        {
            Status = status,
            Reason = reason,
            Sequence = sequence,
            PendingEvents = [.. record.PendingEvents, analysisEvent],
        };
    }

    private static AnalysisRecord Redeployed(AnalysisRecord record, DateTimeOffset now) => record with
    {
        Phase = LifecyclePhase.Active,
        RestartCounter = record.RestartCounter + 1,
        DeployedAt = now,
        ContainerStartedAt = null,
        UnhealthySince = null,
        RestartAfter = null,
        TokenRefreshAt = null,
        Progress = 0,
    };
}
