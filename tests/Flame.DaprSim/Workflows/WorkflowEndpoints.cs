using DurableTask.Core;

using Flame.DaprSim.Errors;
using Flame.DaprSim.Sidecars;

using Google.Protobuf;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using GetWorkflowResponse = Dapr.Client.Autogen.Grpc.v1.GetWorkflowResponse;

namespace Flame.DaprSim.Workflows;

/// <summary>
/// daprd's workflow management API on a sidecar's HTTP port (daprd: pkg/api/http/workflow.go, pkg/api/universal/workflow.go,
/// pkg/runtime/wfengine/client.go), under <c>v1.0</c>, <c>v1.0-beta1</c> and <c>v1.0-alpha1</c>. The component segment is
/// not checked (daprd ignores it too). Errors carry daprd's status, <c>errorCode</c> and message; where daprd's message
/// embeds a Go error chain, the chain is spelled as daprd would print it.
/// </summary>
public static class WorkflowEndpoints
{
    private const int MaxInstanceIdLength = 64;

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    public static void Map(IEndpointRouteBuilder routes, Sidecar sidecar)
    {
        var engine = sidecar.Runtime.Workflows.For(sidecar.AppId);
        foreach (var version in new[] { "v1.0", "v1.0-beta1", "v1.0-alpha1" })
        {
            var prefix = $"/{version}/workflows/{{component}}";
            routes.MapPost(prefix + "/{workflowName}/start", (HttpContext c, string workflowName) => StartAsync(c, engine, workflowName));
            routes.MapGet(prefix + "/{instanceId}", (HttpContext c, string instanceId) => GetAsync(c, engine, instanceId));
            routes.MapPost(prefix + "/{instanceId}/terminate", (HttpContext c, string instanceId) => TerminateAsync(c, engine, instanceId));
            routes.MapPost(prefix + "/{instanceId}/raiseEvent/{eventName}", (HttpContext c, string instanceId, string eventName) => RaiseEventAsync(c, engine, instanceId, eventName));
            routes.MapPost(prefix + "/{instanceId}/pause", (HttpContext c, string instanceId) => PauseAsync(c, engine, instanceId));
            routes.MapPost(prefix + "/{instanceId}/resume", (HttpContext c, string instanceId) => ResumeAsync(c, engine, instanceId));
            routes.MapPost(prefix + "/{instanceId}/purge", (HttpContext c, string instanceId) => PurgeAsync(c, engine, instanceId));
        }
    }

    private static async Task StartAsync(HttpContext context, WorkflowEngine engine, string workflowName)
    {
        var instanceId = context.Request.Query["instanceID"].ToString();
        if (instanceId.Length == 0)
        {
            instanceId = Guid.NewGuid().ToString();
        }

        if (instanceId.Length > MaxInstanceIdLength)
        {
            throw DaprErrors.InstanceIdTooLong(MaxInstanceIdLength);
        }

        if (!instanceId.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
        {
            throw DaprErrors.InvalidInstanceId(instanceId);
        }

        string input;
        try
        {
            using var reader = new StreamReader(context.Request.Body);
            input = await reader.ReadToEndAsync(context.RequestAborted);
        }
        catch (IOException e)
        {
            throw DaprErrors.BodyRead(e.Message);
        }

        try
        {
            await engine.StartAsync(workflowName, instanceId, input);
        }
        catch (WorkflowAlreadyActiveException e)
        {
            throw DaprErrors.StartWorkflow(workflowName, $"unable to start workflow: failed to start workflow: rpc error: code = AlreadyExists desc = {e.Message}");
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"instanceID":{{System.Text.Json.JsonSerializer.Serialize(instanceId)}}}""", context.RequestAborted);
    }

    private static async Task GetAsync(HttpContext context, WorkflowEngine engine, string instanceId)
    {
        var state = await engine.GetAsync(instanceId) ?? throw DaprErrors.WorkflowInstanceNotFound(instanceId);
        var response = new GetWorkflowResponse
        {
            InstanceId = instanceId,
            WorkflowName = state.Name ?? "",
            CreatedAt = WorkflowGrpcService.Utc(state.CreatedTime),
            LastUpdatedAt = WorkflowGrpcService.Utc(state.LastUpdatedTime),
            RuntimeStatus = WorkflowEngine.StatusName(state.OrchestrationStatus),
        };
        AddIfSet(response, "dapr.workflow.custom_status", state.Status);
        AddIfSet(response, "dapr.workflow.input", state.Input);
        AddIfSet(response, "dapr.workflow.output", state.Output);
        if (state.FailureDetails is { } failure)
        {
            response.Properties["dapr.workflow.failure.error_type"] = failure.ErrorType ?? "";
            response.Properties["dapr.workflow.failure.error_message"] = failure.ErrorMessage ?? "";
            AddIfSet(response, "dapr.workflow.failure.stack_trace", failure.StackTrace);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Json.Format(response), context.RequestAborted);
    }

    private static Task TerminateAsync(HttpContext context, WorkflowEngine engine, string instanceId) => AcceptedAsync(context, async () =>
    {
        try
        {
            await engine.TerminateAsync(instanceId, null);
        }
        catch (WorkflowNotFoundException e)
        {
            throw DaprErrors.WorkflowInstanceNotFound(instanceId, $"%!(EXTRA *fmt.wrapError=failed to submit termination request:: {e.Message})");
        }
    });

    private static Task RaiseEventAsync(HttpContext context, WorkflowEngine engine, string instanceId, string eventName) => AcceptedAsync(context, async () =>
    {
        using var reader = new StreamReader(context.Request.Body);
        var data = await reader.ReadToEndAsync(context.RequestAborted);
        try
        {
            await engine.RaiseEventAsync(instanceId, eventName, data);
        }
        catch (WorkflowNotFoundException e)
        {
            throw DaprErrors.RaiseEventWorkflow(instanceId, $"failed to raise event {eventName} on workflow {instanceId}: failed to raise event: {e.Message}");
        }
    });

    private static Task PauseAsync(HttpContext context, WorkflowEngine engine, string instanceId) => AcceptedAsync(context, async () =>
    {
        try
        {
            await engine.SuspendAsync(instanceId, null);
        }
        catch (WorkflowNotFoundException e)
        {
            throw DaprErrors.PauseWorkflow(instanceId, $"failed to pause workflow {instanceId}: failed to suspend workflow: {e.Message}");
        }
    });

    private static Task ResumeAsync(HttpContext context, WorkflowEngine engine, string instanceId) => AcceptedAsync(context, async () =>
    {
        try
        {
            await engine.ResumeAsync(instanceId, null);
        }
        catch (WorkflowNotFoundException e)
        {
            throw DaprErrors.ResumeWorkflow(instanceId, $"failed to resume workflow {instanceId}: failed to resume workflow: {e.Message}");
        }
    });

    private static Task PurgeAsync(HttpContext context, WorkflowEngine engine, string instanceId) => AcceptedAsync(context, async () =>
    {
        if (await engine.GetAsync(instanceId) is null)
        {
            throw DaprErrors.WorkflowInstanceNotFound(instanceId, "%!(EXTRA *fmt.wrapError=failed to purge workflow state: no such instance exists)");
        }

        if (!await engine.PurgeAsync(instanceId))
        {
            throw DaprErrors.PurgeWorkflow(instanceId, $"failed to Purge workflow {instanceId}: failed to purge workflow state: orchestration has not yet completed");
        }
    });

    private static async Task AcceptedAsync(HttpContext context, Func<Task> operation)
    {
        await operation();
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static void AddIfSet(GetWorkflowResponse response, string key, string? value)
    {
        if (value is not null)
        {
            response.Properties[key] = value;
        }
    }

    /// <summary>Whether the status means the instance may be started again (daprd: runtimestate.IsCompleted).</summary>
    public static bool IsTerminal(OrchestrationStatus status) => WorkflowGrpcService.IsCompleted(status);
}
