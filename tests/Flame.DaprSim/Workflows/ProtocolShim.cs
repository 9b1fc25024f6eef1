using System.Collections.Concurrent;

using Google.Protobuf;

using D = Dapr.DurableTask.Protobuf;
using M = Microsoft.DurableTask.Protobuf;

namespace Flame.DaprSim.Workflows;

/// <summary>
/// The translation between the two copies of the durable-task protocol: Dapr's (dapr/durabletask-protobuf, shipped in
/// Dapr.Workflow.Grpc, what the Dapr.Workflow worker and client speak on the wire) and Microsoft's
/// (microsoft/durabletask-protobuf, what the backend's <c>TaskHubGrpcServer</c> parses). Most messages are wire-compatible
/// (renamed types, same numbers); a message is handed over by serializing it with one copy and parsing it with the
/// other, after clearing the fields whose number the two copies use for different things. Every such field that one side
/// sets and the other would misread is handled here (see the README, "Protocol shim"):
/// <list type="bullet">
/// <item>Worker → engine, <c>WorkflowResponse</c>: field 6 <c>version</c> (Dapr) is <c>orchestrationTraceContext</c>
/// (Microsoft); <c>WorkflowAction</c> field 9 <c>router</c> is the <c>rewindOrchestration</c> member of the action oneof;
/// <c>ScheduleTaskAction</c> field 4 <c>router</c> is <c>tags</c> and field 5 <c>taskExecutionId</c> (a string) is
/// <c>parentTraceContext</c> (a message: parsing fails); <c>CreateChildWorkflowAction</c> field 5 <c>router</c> is
/// <c>parentTraceContext</c> and field 6 <c>historyPropagationScope</c> is <c>tags</c>. Actions Microsoft has no
/// counterpart for (detached workflows, version-not-available) are turned into a failure of the workflow.</item>
/// <item>Engine → worker, <c>WorkItem</c>: <c>WorkflowRequest</c> field 7 (<c>properties</c> / <c>router</c>) and field 8
/// (<c>orchestrationTraceContext</c> / <c>propagatedHistory</c>); <c>ActivityRequest</c> field 7 (<c>tags</c> /
/// <c>taskExecutionId</c>); history events: <c>TaskScheduledEvent</c> field 5 (<c>tags</c> / <c>taskExecutionId</c>),
/// <c>ChildWorkflowInstanceCreatedEvent</c> field 6 (<c>tags</c> / <c>rerunParentInstanceInfo</c>), <c>HistoryEvent</c>
/// field 30 (<c>executionRewound</c> / <c>router</c>).</item>
/// </list>
/// Dapr's <c>taskExecutionId</c> (the key that stays the same across the retries of one activity call) has no place in
/// Microsoft's backend, so the shim keeps it aside (<see cref="TaskExecutionIds"/>) and puts it back into the activity
/// requests and history events it sends to the worker.
/// </summary>
public static class ProtocolShim
{
    /// <summary>A workflow turn's result from the Dapr worker, as the backend's server reads it.</summary>
    public static M.OrchestratorResponse ToMicrosoft(D.WorkflowResponse response, TaskExecutionIds ids, Action<string>? childStarted = null)
    {
        var copy = response.Clone();
        copy.Version = null;
        foreach (var action in copy.Actions)
        {
            action.Router = null;
            switch (action.WorkflowActionTypeCase)
            {
                case D.WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask:
                    ids.Record(copy.InstanceId, action.Id, action.ScheduleTask.TaskExecutionId);
                    action.ScheduleTask.TaskExecutionId = "";
                    action.ScheduleTask.Router = null;
                    action.ScheduleTask.ClearHistoryPropagationScope();
                    break;
                case D.WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow:
                    action.CreateChildWorkflow.Router = null;
                    action.CreateChildWorkflow.ClearHistoryPropagationScope();
                    childStarted?.Invoke(action.CreateChildWorkflow.InstanceId);
                    break;
                case D.WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow:
                    foreach (var carried in action.CompleteWorkflow.CarryoverEvents)
                    {
                        ClearClashes(carried);
                    }

                    break;
                case D.WorkflowAction.WorkflowActionTypeOneofCase.WorkflowVersionNotAvailable:
                case D.WorkflowAction.WorkflowActionTypeOneofCase.CreateDetachedWorkflow:
                    var unsupported = action.WorkflowActionTypeCase.ToString();
                    action.CompleteWorkflow = new D.CompleteWorkflowAction
                    {
                        WorkflowStatus = D.OrchestrationStatus.Failed,
                        FailureDetails = new D.TaskFailureDetails
                        {
                            ErrorType = "DaprSimNotSupported",
                            ErrorMessage = $"the simulated sidecar does not support the workflow action {unsupported}",
                        },
                    };
                    break;
            }
        }

        return M.OrchestratorResponse.Parser.ParseFrom(copy.ToByteArray());
    }

    /// <summary>An activity result from the Dapr worker (the two copies agree on every field of <c>ActivityResponse</c>).</summary>
    public static M.ActivityResponse ToMicrosoft(D.ActivityResponse response) => M.ActivityResponse.Parser.ParseFrom(response.ToByteArray());

    /// <summary>A work item of the backend's server, as the Dapr worker reads it, with the completion token of this hand-out.</summary>
    public static D.WorkItem ToDapr(M.WorkItem item, TaskExecutionIds ids)
    {
        var copy = item.Clone();
        copy.CompletionToken = "";
        if (copy.OrchestratorRequest is { } workflow)
        {
            workflow.Properties.Clear();
            workflow.OrchestrationTraceContext = null;
            foreach (var e in workflow.PastEvents.Concat(workflow.NewEvents))
            {
                ClearClashes(e);
            }
        }

        if (copy.ActivityRequest is { } activity)
        {
            activity.Tags.Clear();
        }

        var dapr = D.WorkItem.Parser.ParseFrom(copy.ToByteArray());
        if (dapr.WorkflowRequest is { } request)
        {
            foreach (var e in request.PastEvents.Concat(request.NewEvents))
            {
                RestoreTaskExecutionId(e, request.InstanceId, ids);
            }
        }

        if (dapr.ActivityRequest is { } activityRequest && ids.Find(activityRequest.WorkflowInstance?.InstanceId, activityRequest.TaskId) is { } executionId)
        {
            activityRequest.TaskExecutionId = executionId;
        }

        return dapr;
    }

    /// <summary>Converts a message between the two copies by its bytes (for messages both copies agree on).</summary>
    public static T Convert<T>(IMessage message, MessageParser<T> parser)
        where T : IMessage<T> => parser.ParseFrom(message.ToByteArray());

    private static void ClearClashes(M.HistoryEvent e)
    {
        // Field 30 is a member of Microsoft's event oneof (executionRewound) but Dapr's router: drop such an event's body.
        // (Setting a oneof member to null would clear whichever member is set, so test the case first.)
        if (e.EventTypeCase == M.HistoryEvent.EventTypeOneofCase.ExecutionRewound)
        {
            e.ClearEventType();
        }

        e.TaskScheduled?.Tags.Clear();
        e.SubOrchestrationInstanceCreated?.Tags.Clear();
    }

    private static void ClearClashes(D.HistoryEvent e)
    {
        e.Router = null;
        if (e.TaskScheduled is { } scheduled)
        {
            scheduled.TaskExecutionId = "";
            scheduled.ClearHistoryPropagationScope();
        }

        if (e.ChildWorkflowInstanceCreated is { } child)
        {
            child.RerunParentInstanceInfo = null;
            child.ClearHistoryPropagationScope();
        }
    }

    private static void RestoreTaskExecutionId(D.HistoryEvent e, string instanceId, TaskExecutionIds ids)
    {
        switch (e.EventTypeCase)
        {
            case D.HistoryEvent.EventTypeOneofCase.TaskScheduled when ids.Find(instanceId, e.EventId) is { } id:
                e.TaskScheduled.TaskExecutionId = id;
                break;
            case D.HistoryEvent.EventTypeOneofCase.TaskCompleted when ids.Find(instanceId, e.TaskCompleted.TaskScheduledId) is { } id:
                e.TaskCompleted.TaskExecutionId = id;
                break;
            case D.HistoryEvent.EventTypeOneofCase.TaskFailed when ids.Find(instanceId, e.TaskFailed.TaskScheduledId) is { } id:
                e.TaskFailed.TaskExecutionId = id;
                break;
        }
    }
}

/// <summary>Dapr's <c>taskExecutionId</c> of each scheduled activity, by workflow instance and task id.</summary>
public sealed class TaskExecutionIds
{
    private readonly ConcurrentDictionary<(string Instance, int TaskId), string> _ids = new();

    public void Record(string instanceId, int taskId, string executionId)
    {
        if (executionId.Length > 0)
        {
            _ids[(instanceId, taskId)] = executionId;
        }
        else
        {
            _ids.TryRemove((instanceId, taskId), out _);
        }
    }

    public string? Find(string? instanceId, int taskId) =>
        instanceId is not null && _ids.TryGetValue((instanceId, taskId), out var id) ? id : null;
}
