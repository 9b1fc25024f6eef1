using System.Collections.Concurrent;

using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using DurableTask.Core.Tracing;

using Grpc.Core;

using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using D = Dapr.DurableTask.Protobuf;
using M = Microsoft.DurableTask.Protobuf;

namespace Flame.DaprSim.Workflows;

/// <summary>
/// The workflow engine of one app id, shared by all its replicas (as daprd's workflow actors are): Microsoft's in-memory
/// durable-task backend (<c>InMemoryOrchestrationService</c>) driven by its gRPC dispatcher (<c>TaskHubGrpcServer</c>),
/// which writes work items to a <see cref="WorkItemHub"/> instead of a real stream. The sidecars' workflow API calls it.
/// Everything is in memory: a simulator restart loses the instances.
/// </summary>
public sealed class WorkflowEngine : IAsyncDisposable
{
    /// <summary>Statuses an instance id cannot be started again in (daprd: the instance is not completed).</summary>
    private static readonly OrchestrationStatus[] ActiveStatuses =
        [OrchestrationStatus.Running, OrchestrationStatus.Pending, OrchestrationStatus.Suspended, OrchestrationStatus.ContinuedAsNew];

    private readonly InMemoryOrchestrationService _backend;
    private readonly TaskHubGrpcServer _server;
    private readonly EngineLifetime _lifetime = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, DateTime> _started = new(StringComparer.Ordinal);
    private readonly Task _stream;
    private readonly ILogger _logger;

    public WorkflowEngine(string appId, ILoggerFactory loggerFactory)
    {
        AppId = appId;
        _logger = loggerFactory.CreateLogger("Flame.DaprSim.Workflows");
        _backend = new InMemoryOrchestrationService(loggerFactory);
        Hub = new WorkItemHub(TaskExecutionIds);
        _server = new TaskHubGrpcServer(_lifetime, loggerFactory, new EngineOrchestrationService(_backend, 1000), _backend, Options.Create(new TaskHubGrpcServerOptions()));

        // The server's dispatchers start once a work-item stream is open; the hub keeps one open for the engine's life.
        _stream = _server.GetWorkItems(new M.GetWorkItemsRequest(), Hub, new EngineCallContext(_stopping.Token));
    }

    public string AppId { get; }

    public WorkItemHub Hub { get; }

    public TaskExecutionIds TaskExecutionIds { get; } = new();

    /// <summary>
    /// Starts an instance. An id whose instance is pending, running or suspended is refused with
    /// <see cref="WorkflowAlreadyActiveException"/>; one whose instance completed, failed or was terminated is replaced.
    /// </summary>
    public async Task StartAsync(string name, string instanceId, string? input, DateTime? startAt = null, M.TraceContext? trace = null)
    {
        var instance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = Guid.NewGuid().ToString("N") };
        var started = new ExecutionStartedEvent(-1, input)
        {
            Name = name,
            Version = "",
            OrchestrationInstance = instance,
            ScheduledStartTime = startAt,
            ParentTraceContext = trace is null ? null : new DistributedTraceContext(trace.TraceParent, trace.TraceState),
        };
        try
        {
            await _backend.CreateTaskOrchestrationAsync(new TaskMessage { Event = started, OrchestrationInstance = instance }, ActiveStatuses);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            throw new WorkflowAlreadyActiveException(instanceId);
        }

        _started[instanceId] = DateTime.UtcNow;
        _logger.LogInformation("app {app_id}: workflow {name} started as {instance_id}", AppId, name, instanceId);
    }

    /// <summary>Records a child workflow started by a workflow (for <see cref="Instances"/>).</summary>
    public void ChildStarted(string instanceId) => _started.TryAdd(instanceId, DateTime.UtcNow);

    /// <summary>The instance's state, or null when no such instance exists (never started, or purged).</summary>
    public async Task<OrchestrationState?> GetAsync(string instanceId) => await _backend.GetOrchestrationStateAsync(instanceId, executionId: null);

    public Task RaiseEventAsync(string instanceId, string name, string? data) =>
        SendAsync(instanceId, new EventRaisedEvent(-1, data) { Name = name });

    public Task TerminateAsync(string instanceId, string? output) =>
        SendAsync(instanceId, new ExecutionTerminatedEvent(-1, output));

    public Task SuspendAsync(string instanceId, string? reason) =>
        SendAsync(instanceId, new ExecutionSuspendedEvent(-1, reason));

    public Task ResumeAsync(string instanceId, string? reason) =>
        SendAsync(instanceId, new ExecutionResumedEvent(-1, reason));

    /// <summary>Removes a completed, failed or terminated instance; false when it is still active.</summary>
    public async Task<bool> PurgeAsync(string instanceId)
    {
        var result = await _backend.PurgeInstanceStateAsync(instanceId);
        return result.DeletedInstanceCount > 0;
    }

    /// <summary>A workflow turn's result from a worker; false when the turn is not outstanding (stale or unknown).</summary>
    public async Task<bool> CompleteWorkflowAsync(D.WorkflowResponse response, ServerCallContext context)
    {
        if (!Hub.TryComplete(WorkItemHub.WorkflowKey(response.InstanceId), response.CompletionToken))
        {
            return false;
        }

        await _server.CompleteOrchestratorTask(ProtocolShim.ToMicrosoft(response, TaskExecutionIds, ChildStarted), context);
        return true;
    }

    /// <summary>An activity result from a worker; false when the activity is not outstanding (stale or unknown).</summary>
    public async Task<bool> CompleteActivityAsync(D.ActivityResponse response, ServerCallContext context)
    {
        if (!Hub.TryComplete(WorkItemHub.ActivityKey(response.InstanceId, response.TaskId), response.CompletionToken))
        {
            return false;
        }

        await _server.CompleteActivityTask(ProtocolShim.ToMicrosoft(response), context);
        return true;
    }

    /// <summary>Every instance started on this engine that still exists, oldest first.</summary>
    public async Task<IReadOnlyList<WorkflowInstanceInfo>> InstancesAsync()
    {
        var list = new List<WorkflowInstanceInfo>();
        foreach (var id in _started.OrderBy(e => e.Value).Select(e => e.Key))
        {
            if (await GetAsync(id) is { } state)
            {
                list.Add(WorkflowInstanceInfo.From(state));
            }
        }

        return list;
    }

    public static string StatusName(OrchestrationStatus status) => status switch
    {
        OrchestrationStatus.Running => "RUNNING",
        OrchestrationStatus.Completed => "COMPLETED",
        OrchestrationStatus.ContinuedAsNew => "CONTINUED_AS_NEW",
        OrchestrationStatus.Failed => "FAILED",
        OrchestrationStatus.Canceled => "CANCELED",
        OrchestrationStatus.Terminated => "TERMINATED",
        OrchestrationStatus.Pending => "PENDING",
        OrchestrationStatus.Suspended => "SUSPENDED",
        _ => "UNKNOWN",
    };

    private async Task SendAsync(string instanceId, HistoryEvent e)
    {
        if (await GetAsync(instanceId) is null)
        {
            throw new WorkflowNotFoundException(instanceId);
        }

        await _backend.SendTaskOrchestrationMessageAsync(new TaskMessage { Event = e, OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId } });
    }

    public async ValueTask DisposeAsync()
    {
        // Stop the dispatchers fetching, then release the work items they wait for, so that their loops end.
        _lifetime.StopApplication();
        var context = new EngineCallContext(CancellationToken.None);
        foreach (var item in Hub.DrainAll())
        {
            try
            {
                if (item.WorkflowRequest is { } workflow)
                {
                    await _server.CompleteOrchestratorTask(new M.OrchestratorResponse { InstanceId = workflow.InstanceId }, context);
                }
                else if (item.ActivityRequest is { } activity)
                {
                    await _server.CompleteActivityTask(
                        new M.ActivityResponse
                        {
                            InstanceId = activity.WorkflowInstance?.InstanceId ?? "",
                            TaskId = activity.TaskId,
                            FailureDetails = new M.TaskFailureDetails { ErrorType = "DaprSimStopped", ErrorMessage = "the simulator stopped" },
                        },
                        context);
                }
            }
            catch (RpcException)
            {
                // Already completed.
            }
        }

        await _stopping.CancelAsync();
        await _stream;
        _server.Dispose();
        _lifetime.Dispose();
        _stopping.Dispose();
    }
}

/// <summary>What tests see of a workflow instance: runtime status in daprd's spelling (RUNNING, COMPLETED, FAILED, …).</summary>
public sealed record WorkflowInstanceInfo(
    string InstanceId,
    string WorkflowName,
    string RuntimeStatus,
    string? CustomStatus,
    DateTime CreatedAt,
    DateTime LastUpdatedAt,
    string? Input,
    string? Output,
    string? FailureMessage)
{
    public static WorkflowInstanceInfo From(OrchestrationState state) => new(
        state.OrchestrationInstance.InstanceId,
        state.Name,
        WorkflowEngine.StatusName(state.OrchestrationStatus),
        state.Status,
        state.CreatedTime,
        state.LastUpdatedTime,
        state.Input,
        state.Output,
        state.FailureDetails?.ErrorMessage);
}

/// <summary>A start of an instance id whose instance is still pending, running or suspended.</summary>
public sealed class WorkflowAlreadyActiveException(string instanceId)
    : Exception($"an active workflow with ID '{instanceId}' already exists")
{
    public string InstanceId { get; } = instanceId;
}

/// <summary>An operation on an instance that does not exist (durabletask-go: api.ErrInstanceNotFound).</summary>
public sealed class WorkflowNotFoundException(string instanceId) : Exception("no such instance exists")
{
    public string InstanceId { get; } = instanceId;
}
