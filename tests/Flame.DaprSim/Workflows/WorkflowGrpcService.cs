using DurableTask.Core;

using Flame.DaprSim.Sidecars;

using Google.Protobuf.WellKnownTypes;

using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

using D = Dapr.DurableTask.Protobuf;
using M = Microsoft.DurableTask.Protobuf;

namespace Flame.DaprSim.Workflows;

/// <summary>
/// <c>TaskHubSidecarService</c> on a sidecar's gRPC port, as daprd serves it (durabletask-go: backend/executor.go) for the
/// Dapr.Workflow worker (<c>GetWorkItems</c>, <c>CompleteOrchestratorTask</c>/<c>CompleteWorkflowTask</c>,
/// <c>CompleteActivityTask</c>, <c>Hello</c>) and <c>DaprWorkflowClient</c> (start, get, wait, raise, terminate, suspend,
/// resume, purge). It speaks Dapr's copy of the protocol and drives the app id's <see cref="WorkflowEngine"/>. Not served
/// (Unimplemented): <c>ListInstanceIDs</c>, <c>GetInstanceHistory</c>, <c>RerunWorkflowFromEvent</c>. Handlers are virtual
/// for Grpc.AspNetCore's binder (see <c>DaprGrpcService</c>).
/// </summary>
[BindServiceMethod(typeof(WorkflowGrpcService), nameof(BindService))]
public class WorkflowGrpcService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly WorkflowEngine _engine;

    public WorkflowGrpcService(Sidecar sidecar)
    {
        _engine = sidecar.Runtime.Workflows.For(sidecar.AppId);
    }

    public static void BindService(ServiceBinderBase binder, WorkflowGrpcService? service)
    {
        binder.AddMethod(TaskHubMethods.Hello, service is null ? null! : service.Hello);
        binder.AddMethod(TaskHubMethods.StartInstance, service is null ? null! : service.StartInstance);
        binder.AddMethod(TaskHubMethods.GetInstance, service is null ? null! : service.GetInstance);
        binder.AddMethod(TaskHubMethods.WaitForInstanceStart, service is null ? null! : service.WaitForInstanceStart);
        binder.AddMethod(TaskHubMethods.WaitForInstanceCompletion, service is null ? null! : service.WaitForInstanceCompletion);
        binder.AddMethod(TaskHubMethods.RaiseEvent, service is null ? null! : service.RaiseEvent);
        binder.AddMethod(TaskHubMethods.TerminateInstance, service is null ? null! : service.TerminateInstance);
        binder.AddMethod(TaskHubMethods.SuspendInstance, service is null ? null! : service.SuspendInstance);
        binder.AddMethod(TaskHubMethods.ResumeInstance, service is null ? null! : service.ResumeInstance);
        binder.AddMethod(TaskHubMethods.PurgeInstances, service is null ? null! : service.PurgeInstances);
        binder.AddMethod(TaskHubMethods.CompleteActivityTask, service is null ? null! : service.CompleteActivityTask);
        binder.AddMethod(TaskHubMethods.CompleteOrchestratorTask, service is null ? null! : service.CompleteOrchestratorTask);
        binder.AddMethod(TaskHubMethods.CompleteWorkflowTask, service is null ? null! : service.CompleteWorkflowTask);
        binder.AddMethod(TaskHubMethods.GetWorkItems, service is null ? null! : service.GetWorkItems);
    }

    public virtual Task<Empty> Hello(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    /// <summary>
    /// daprd creates the instance, then (unless it has a start time) waits until a worker ran its first turn. The simulator
    /// waits only while a worker of the app is connected.
    /// </summary>
    public virtual async Task<D.CreateInstanceResponse> StartInstance(D.CreateInstanceRequest request, ServerCallContext context)
    {
        var instanceId = request.InstanceId.Length > 0 ? request.InstanceId : Guid.NewGuid().ToString();
        try
        {
            var trace = request.ParentTraceContext is null ? null : ProtocolShim.Convert(request.ParentTraceContext, M.TraceContext.Parser);
            await _engine.StartAsync(request.Name, instanceId, request.Input, request.ScheduledStartTimestamp?.ToDateTime(), trace);
        }
        catch (WorkflowAlreadyActiveException e)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists,
                $"failed to create workflow instance: rpc error: code = AlreadyExists desc = {e.Message}"));
        }

        if (request.ScheduledStartTimestamp is null)
        {
            while (_engine.Hub.WorkerCount > 0 && await _engine.GetAsync(instanceId) is { OrchestrationStatus: OrchestrationStatus.Pending })
            {
                await Task.Delay(PollInterval, context.CancellationToken);
            }
        }

        return new D.CreateInstanceResponse { InstanceId = instanceId };
    }

    public virtual async Task<D.GetInstanceResponse> GetInstance(D.GetInstanceRequest request, ServerCallContext context) =>
        Response(await _engine.GetAsync(request.InstanceId), request.GetInputsAndOutputs);

    public virtual Task<D.GetInstanceResponse> WaitForInstanceStart(D.GetInstanceRequest request, ServerCallContext context) =>
        WaitAsync(request, s => s.OrchestrationStatus != OrchestrationStatus.Pending, context.CancellationToken);

    public virtual Task<D.GetInstanceResponse> WaitForInstanceCompletion(D.GetInstanceRequest request, ServerCallContext context) =>
        WaitAsync(request, s => IsCompleted(s.OrchestrationStatus), context.CancellationToken);

    // Grpc.AspNetCore finds the handler by the gRPC method's name.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "the gRPC method is called RaiseEvent")]
    public virtual Task<D.RaiseEventResponse> RaiseEvent(D.RaiseEventRequest request, ServerCallContext context) =>
        NotFoundAsUnknown(async () =>
        {
            await _engine.RaiseEventAsync(request.InstanceId, request.Name, request.Input);
            return new D.RaiseEventResponse();
        });

    public virtual Task<D.TerminateResponse> TerminateInstance(D.TerminateRequest request, ServerCallContext context) =>
        NotFoundAsUnknown(
            async () =>
            {
                await _engine.TerminateAsync(request.InstanceId, request.Output);
                return new D.TerminateResponse();
            },
            "failed to submit termination request: ");

    public virtual Task<D.SuspendResponse> SuspendInstance(D.SuspendRequest request, ServerCallContext context) =>
        NotFoundAsUnknown(async () =>
        {
            await _engine.SuspendAsync(request.InstanceId, request.Reason);
            return new D.SuspendResponse();
        });

    public virtual Task<D.ResumeResponse> ResumeInstance(D.ResumeRequest request, ServerCallContext context) =>
        NotFoundAsUnknown(async () =>
        {
            await _engine.ResumeAsync(request.InstanceId, request.Reason);
            return new D.ResumeResponse();
        });

    public virtual async Task<D.PurgeInstancesResponse> PurgeInstances(D.PurgeInstancesRequest request, ServerCallContext context)
    {
        if (request.RequestCase != D.PurgeInstancesRequest.RequestOneofCase.InstanceId)
        {
            throw new RpcException(new Status(StatusCode.Unknown, "multi-instance purge is not unimplemented"));
        }

        if (await _engine.GetAsync(request.InstanceId) is null)
        {
            throw new RpcException(new Status(StatusCode.Unknown, "failed to purge workflow state: no such instance exists"));
        }

        if (!await _engine.PurgeAsync(request.InstanceId))
        {
            throw new RpcException(new Status(StatusCode.Unknown, "failed to purge workflow state: orchestration has not yet completed"));
        }

        return new D.PurgeInstancesResponse { DeletedInstanceCount = 1 };
    }

    public virtual async Task<D.CompleteTaskResponse> CompleteActivityTask(D.ActivityResponse request, ServerCallContext context)
    {
        if (!await _engine.CompleteActivityAsync(request, context))
        {
            throw new RpcException(new Status(StatusCode.Unknown, $"unknown instance ID/task ID combo: {request.InstanceId}/{request.TaskId}"));
        }

        return new D.CompleteTaskResponse();
    }

    public virtual async Task<D.CompleteTaskResponse> CompleteOrchestratorTask(D.WorkflowResponse request, ServerCallContext context)
    {
        if (!await _engine.CompleteWorkflowAsync(request, context))
        {
            throw new RpcException(new Status(StatusCode.Unknown, $"unknown instance ID: {request.InstanceId}"));
        }

        return new D.CompleteTaskResponse();
    }

    /// <summary>The newer name of <see cref="CompleteOrchestratorTask"/> (daprd 1.18+); Dapr.Workflow 1.19.1 still calls the old one.</summary>
    public virtual Task<D.CompleteTaskResponse> CompleteWorkflowTask(D.WorkflowResponse request, ServerCallContext context) =>
        CompleteOrchestratorTask(request, context);

    /// <summary>A worker's work-item stream: any number of workers may be connected (replicas, or a restarted app while the old stream dies).</summary>
    public virtual async Task GetWorkItems(D.GetWorkItemsRequest request, IServerStreamWriter<D.WorkItem> responseStream, ServerCallContext context)
    {
        var worker = _engine.Hub.Connect(context.Peer);
        try
        {
            await foreach (var item in worker.Items.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(item, context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The worker went away.
        }
        finally
        {
            _engine.Hub.Disconnect(worker);
        }
    }

    private async Task<D.GetInstanceResponse> WaitAsync(D.GetInstanceRequest request, Func<OrchestrationState, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            var state = await _engine.GetAsync(request.InstanceId);
            if (state is null || condition(state))
            {
                return Response(state, request.GetInputsAndOutputs);
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    private static async Task<T> NotFoundAsUnknown<T>(Func<Task<T>> call, string prefix = "")
    {
        try
        {
            return await call();
        }
        catch (WorkflowNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.Unknown, prefix + e.Message));
        }
    }

    public static bool IsCompleted(OrchestrationStatus status) =>
        status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;

    private static D.GetInstanceResponse Response(OrchestrationState? state, bool inputsAndOutputs)
    {
        if (state is null)
        {
            return new D.GetInstanceResponse { Exists = false };
        }

        var workflow = new D.WorkflowState
        {
            InstanceId = state.OrchestrationInstance.InstanceId,
            Name = state.Name ?? "",
            WorkflowStatus = (D.OrchestrationStatus)(int)state.OrchestrationStatus,
            CreatedTimestamp = Utc(state.CreatedTime),
            LastUpdatedTimestamp = Utc(state.LastUpdatedTime),
            ExecutionId = state.OrchestrationInstance.ExecutionId ?? "",
        };
        if (state.ScheduledStartTime is { } scheduled)
        {
            workflow.ScheduledStartTimestamp = Utc(scheduled);
        }

        if (IsCompleted(state.OrchestrationStatus) && state.CompletedTime > DateTime.MinValue)
        {
            workflow.CompletedTimestamp = Utc(state.CompletedTime);
        }

        if (inputsAndOutputs)
        {
            workflow.Input = state.Input;
            workflow.Output = state.Output;
            workflow.CustomStatus = state.Status;
        }

        if (state.FailureDetails is { } failure)
        {
            workflow.FailureDetails = new D.TaskFailureDetails
            {
                ErrorType = failure.ErrorType ?? "",
                ErrorMessage = failure.ErrorMessage ?? "",
                StackTrace = failure.StackTrace,
                IsNonRetriable = failure.IsNonRetriable,
            };
        }

        return new D.GetInstanceResponse { Exists = true, WorkflowState = workflow };
    }

    public static Timestamp Utc(DateTime time) =>
        Timestamp.FromDateTime(time.Kind == DateTimeKind.Utc ? time : DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
