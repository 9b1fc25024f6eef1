using Dapr.Workflow;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.ServiceDefaults.Logging;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// Dapr mode: a decided step of a transition is handed to that transition's workflow, started here when it does
/// not run yet. The instance id is deterministic, and the instance is looked up before it is scheduled (a backend
/// may restart a running instance of the same id), so two ticks or replicas never run one transition twice. A
/// workflow that failed or was terminated is started again under the same id: the status loop repairs it.
/// </summary>
public sealed class WorkflowTransitions(DaprWorkflowClient workflows, ILogger<WorkflowTransitions> logger) : ITransitionDriver
{
    public bool RunsTransitions => true;

    public async ValueTask<bool> HandOffAsync(AnalysisRecord record, LifecycleAction action, DateTimeOffset observedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (TransitionPlan.StepOf(record, action) is not { } kind)
        {
            return false;
        }

        var input = TransitionInput.For(kind, record);
        var instanceId = input.InstanceId;
        var state = await workflows.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (state is { Exists: true, RuntimeStatus: WorkflowRuntimeStatus.Running or WorkflowRuntimeStatus.Pending or WorkflowRuntimeStatus.Suspended })
        {
            return true;
        }

        if (state is { Exists: true, RuntimeStatus: WorkflowRuntimeStatus.Completed } && state.LastUpdatedAt >= observedAt)
        {
            // The decision was taken on what was read before the transition ended: the next look decides afresh.
            return true;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["analysis_id"] = record.AnalysisId,
            ["workflow_instance"] = instanceId,
            ["action"] = action.GetType().Name,
        });
        try
        {
            await workflows.ScheduleNewWorkflowAsync(TransitionWorkflows.NameOf(kind), instanceId, input, startTime: null, cancellationToken);
        }
        catch (RpcException error) when (IsAlreadyRunning(error))
        {
            return true;
        }

        logger.LogInformation(
            LogEvents.Action,
            "Analysis {AnalysisId}: workflow {WorkflowInstance} started for {Step} (previous run: {Previous})",
            record.AnalysisId,
            instanceId,
            action,
            state.Exists ? state.RuntimeStatus.ToString() : "none");
        return true;
    }

    /// <summary>Another tick or replica scheduled the same instance between the look-up and the schedule.</summary>
    private static bool IsAlreadyRunning(RpcException error) =>
        error.StatusCode is StatusCode.AlreadyExists || error.Status.Detail.Contains("already exists", StringComparison.OrdinalIgnoreCase);
}
