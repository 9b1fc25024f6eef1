using System.Net;
using System.Text.Json;

using Dapr.DurableTask.Protobuf;
using Dapr.Workflow;

using Flame.DaprSim.Tests.Support;

using Grpc.Core;
using Grpc.Net.Client;

namespace Flame.DaprSim.Tests.Workflows;

/// <summary>The simulated workflow engine driven by the real Dapr.Workflow 1.19.1 worker and client.</summary>
public sealed class WorkflowContractTests
{
    [Fact]
    public async Task Sequence_of_activities_passes_inputs_and_outputs_and_shows_custom_status()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        var probe = new Probe();
        var client = WorkflowTestKit.Client(await kit.StartWorkerAsync(probe));

        var id = await client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), "seq-1", new Order("widget", 3));
        var state = await WorkflowTestKit.CompletedAsync(client, id);

        state.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Completed, state.FailureDetails?.ErrorMessage);
        state.ReadOutputAs<string>().Should().Be("WIDGET!-3!");
        state.ReadCustomStatusAs<JsonElement>().GetProperty("step").GetInt32().Should().Be(2);
        probe.Count(nameof(ShoutActivity)).Should().Be(2);

        using var http = Sim.Http(kit.Sidecar);
        var response = await http.GetAsync($"/v1.0/workflows/dapr/{id}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("instanceID").GetString().Should().Be("seq-1");
        body.GetProperty("workflowName").GetString().Should().Be(nameof(SequenceWorkflow));
        body.GetProperty("runtimeStatus").GetString().Should().Be("COMPLETED");
        body.GetProperty("createdAt").GetString().Should().NotBeNullOrEmpty();
        body.GetProperty("lastUpdatedAt").GetString().Should().NotBeNullOrEmpty();
        var properties = body.GetProperty("properties");
        properties.GetProperty("dapr.workflow.custom_status").GetString().Should().Be("""{"step":2}""");
        properties.GetProperty("dapr.workflow.output").GetString().Should().Be("\"WIDGET!-3!\"");
        JsonDocument.Parse(properties.GetProperty("dapr.workflow.input").GetString()!).RootElement.GetProperty("quantity").GetInt32().Should().Be(3);

        var listed = await kit.Simulator.WorkflowInstancesAsync("wf");
        listed.Should().ContainSingle(i => i.InstanceId == "seq-1" && i.RuntimeStatus == "COMPLETED" && i.WorkflowName == nameof(SequenceWorkflow) && i.CustomStatus == """{"step":2}""");
    }

    [Fact]
    public async Task Activity_failing_twice_is_retried_by_the_policy_and_sees_daprs_task_execution_id()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        var probe = new Probe();
        var client = WorkflowTestKit.Client(await kit.StartWorkerAsync(probe));

        var id = await client.ScheduleNewWorkflowAsync(nameof(RetryWorkflow), "retry-1", "job");
        var state = await WorkflowTestKit.CompletedAsync(client, id);

        state.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Completed);
        state.ReadOutputAs<string>().Should().Be("done job");
        probe.Count(nameof(FlakyActivity)).Should().Be(3);
        // Dapr.Workflow falls back to the task id ("0", "2", …) when the sidecar drops the taskExecutionId it scheduled.
        probe.ExecutionKeys.Should().HaveCount(3).And.OnlyContain(k => k.Length == 32, "the shim hands Dapr's taskExecutionId back to the activity");
    }

    [Fact]
    public async Task Durable_timer_fires()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        var client = WorkflowTestKit.Client(await kit.StartWorkerAsync(new Probe()));

        var id = await client.ScheduleNewWorkflowAsync(nameof(TimerWorkflow), "timer-1", 300);
        var state = await WorkflowTestKit.CompletedAsync(client, id);

        state.ReadOutputAs<string>().Should().Be("fired");
    }

    [Fact]
    public async Task External_event_without_timeout_completes_the_workflow_and_terminate_stops_another()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        var client = WorkflowTestKit.Client(await kit.StartWorkerAsync(new Probe()));

        await client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), "approve-1", "order 7");
        await client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), "approve-2", "order 8");
        await Sim.Until(() => client.GetWorkflowStateAsync("approve-1").Result?.ReadCustomStatusAs<string>() == "waiting", "approve-1 waiting");
        (await client.GetWorkflowStateAsync("approve-1"))!.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Running);

        await client.RaiseEventAsync("approve-1", "approved", "alice");
        (await WorkflowTestKit.CompletedAsync(client, "approve-1")).ReadOutputAs<string>().Should().Be("order 7 approved by alice");

        await client.TerminateWorkflowAsync("approve-2");
        (await WorkflowTestKit.CompletedAsync(client, "approve-2")).RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Terminated);
    }

    [Fact]
    public async Task Starting_a_running_id_is_refused_and_a_completed_id_can_be_started_again()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        var probe = new Probe();
        var client = WorkflowTestKit.Client(await kit.StartWorkerAsync(probe));
        using var http = Sim.Http(kit.Sidecar);

        await client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), "reuse-1", "first");
        var refused = async () => await client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), "reuse-1", "second");
        (await refused.Should().ThrowAsync<RpcException>()).Which.Status.Should().Be(new Status(StatusCode.AlreadyExists,
            "failed to create workflow instance: rpc error: code = AlreadyExists desc = an active workflow with ID 'reuse-1' already exists"));

        var viaHttp = await http.PostAsync($"/v1.0/workflows/dapr/{nameof(ApprovalWorkflow)}/start?instanceID=reuse-1", Sim.Json("\"third\""));
        viaHttp.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        JsonDocument.Parse(await viaHttp.Content.ReadAsStringAsync()).RootElement.GetProperty("errorCode").GetString().Should().Be("ERR_START_WORKFLOW");
        (await client.GetWorkflowStateAsync("reuse-1"))!.ReadInputAs<string>().Should().Be("first", "the running instance is untouched");

        await client.RaiseEventAsync("reuse-1", "approved", "bob");
        (await WorkflowTestKit.CompletedAsync(client, "reuse-1")).ReadOutputAs<string>().Should().Be("first approved by bob");

        await client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), "reuse-1", new Order("again", 1));
        var second = await WorkflowTestKit.CompletedAsync(client, "reuse-1");
        second.WorkflowName.Should().Be(nameof(SequenceWorkflow));
        second.ReadOutputAs<string>().Should().Be("AGAIN!-1!");
    }

    [Fact]
    public async Task Http_api_starts_reads_raises_pauses_resumes_terminates_and_purges_with_daprd_status_codes()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        var client = WorkflowTestKit.Client(await kit.StartWorkerAsync(new Probe()));
        using var http = Sim.Http(kit.Sidecar);

        var start = await http.PostAsync($"/v1.0-beta1/workflows/dapr/{nameof(ApprovalWorkflow)}/start?instanceID=http-1", Sim.Json("\"parcel\""));
        start.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await start.Content.ReadAsStringAsync()).Should().Be("""{"instanceID":"http-1"}""");
        await Sim.Until(() => client.GetWorkflowStateAsync("http-1").Result?.RuntimeStatus == WorkflowRuntimeStatus.Running, "http-1 running");

        (await http.PostAsync("/v1.0/workflows/dapr/http-1/pause", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Sim.Until(() => Status(http, "http-1") == "SUSPENDED", "http-1 suspended");
        (await http.PostAsync("/v1.0-alpha1/workflows/dapr/http-1/resume", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Sim.Until(() => Status(http, "http-1") == "RUNNING", "http-1 resumed");

        var purgeRunning = await http.PostAsync("/v1.0/workflows/dapr/http-1/purge", null);
        purgeRunning.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await purgeRunning.Content.ReadAsStringAsync()).Should().Contain("ERR_PURGE_WORKFLOW");

        (await http.PostAsync("/v1.0/workflows/dapr/http-1/raiseEvent/approved", Sim.Json("\"carol\""))).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await WorkflowTestKit.CompletedAsync(client, "http-1")).ReadOutputAs<string>().Should().Be("parcel approved by carol");

        var generated = await http.PostAsync($"/v1.0/workflows/dapr/{nameof(ApprovalWorkflow)}/start", Sim.Json("\"x\""));
        var generatedId = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("instanceID").GetString()!;
        Guid.TryParse(generatedId, out _).Should().BeTrue();
        (await http.PostAsync($"/v1.0/workflows/dapr/{generatedId}/terminate", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Sim.Until(() => Status(http, generatedId) == "TERMINATED", "terminated");

        (await http.PostAsync("/v1.0/workflows/dapr/http-1/purge", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await http.GetAsync("/v1.0/workflows/dapr/http-1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_instances_and_bad_ids_answer_as_daprd()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        using var http = Sim.Http(kit.Sidecar);

        var get = await http.GetAsync("/v1.0/workflows/dapr/nobody");
        get.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await get.Content.ReadAsStringAsync()).Should().Be("""{"errorCode":"ERR_INSTANCE_ID_NOT_FOUND","message":"unable to find workflow with the provided instance ID: nobody"}""");

        var terminate = await http.PostAsync("/v1.0/workflows/dapr/nobody/terminate", null);
        terminate.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await terminate.Content.ReadAsStringAsync()).Should().Contain("ERR_INSTANCE_ID_NOT_FOUND");

        var raise = await http.PostAsync("/v1.0/workflows/dapr/nobody/raiseEvent/e", null);
        raise.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await raise.Content.ReadAsStringAsync()).Should().Contain("ERR_RAISE_EVENT_WORKFLOW");

        var invalid = await http.PostAsync("/v1.0/workflows/dapr/W/start?instanceID=a.b", null);
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadAsStringAsync()).Should().Be("""{"errorCode":"ERR_INSTANCE_ID_INVALID","message":"workflow instance ID 'a.b' is invalid: only alphanumeric and underscore characters are allowed"}""");

        var tooLong = await http.PostAsync($"/v1.0/workflows/dapr/W/start?instanceID={new string('a', 65)}", null);
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooLong.Content.ReadAsStringAsync()).Should().Contain("ERR_INSTANCE_ID_TOO_LONG");
    }

    [Fact]
    public async Task Api_token_is_required_on_the_workflow_grpc_service_and_http_routes()
    {
        await using var kit = await WorkflowTestKit.StartAsync(apiToken: "secret");
        var client = WorkflowTestKit.Client(await kit.StartWorkerAsync(new Probe(), token: "secret"));

        var id = await client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), "token-1", new Order("t", 1));
        (await WorkflowTestKit.CompletedAsync(client, id)).RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Completed);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{kit.Sidecar.GrpcPort}");
        var raw = new TaskHubSidecarService.TaskHubSidecarServiceClient(channel);
        var missing = async () => await raw.GetInstanceAsync(new GetInstanceRequest { InstanceId = "token-1" });
        (await missing.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
        var wrong = async () => await raw.GetWorkItems(new GetWorkItemsRequest(), new Metadata { { "dapr-api-token", "nope" } }).ResponseStream.MoveNext();
        (await wrong.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
        (await raw.GetInstanceAsync(new GetInstanceRequest { InstanceId = "token-1" }, new Metadata { { "dapr-api-token", "secret" } })).Exists.Should().BeTrue();

        using var anonymous = Sim.Http(kit.Sidecar, token: "");
        anonymous.DefaultRequestHeaders.Remove("dapr-api-token");
        (await anonymous.GetAsync("/v1.0/workflows/dapr/token-1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.PostAsync($"/v1.0/workflows/dapr/{nameof(SequenceWorkflow)}/start", null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var authorized = Sim.Http(kit.Sidecar);
        (await authorized.GetAsync("/v1.0/workflows/dapr/token-1")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Activity_held_by_a_killed_worker_runs_again_on_the_next_worker_and_the_workflow_completes()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        var first = new Probe();
        var firstHost = await kit.StartWorkerAsync(first);
        await WorkflowTestKit.Client(firstHost).ScheduleNewWorkflowAsync(nameof(BlockingWorkflow), "crash-1", "parcel");
        await Sim.Until(() => first.Count(nameof(BlockingActivity)) == 1, "activity running on the first worker");

        await kit.KillAsync(firstHost);
        var second = new Probe();
        second.Gate.SetResult();
        var secondHost = await kit.StartWorkerAsync(second);

        var state = await WorkflowTestKit.CompletedAsync(WorkflowTestKit.Client(secondHost), "crash-1");
        state.ReadOutputAs<string>().Should().Be("unblocked parcel");
        first.Count(nameof(BlockingActivity)).Should().Be(1);
        second.Count(nameof(BlockingActivity)).Should().Be(1, "the activity was handed out again");
        kit.Simulator.WorkflowEngine("wf").Hub.Pending.Should().BeEmpty();
    }

    [Fact]
    public async Task A_new_worker_may_connect_while_the_old_one_is_still_connected_and_two_workers_share_the_work()
    {
        await using var kit = await WorkflowTestKit.StartAsync();
        var probe = new Probe();
        probe.Gate.SetResult();
        var one = await kit.StartWorkerAsync(probe);
        await kit.StartWorkerAsync(probe);
        kit.Simulator.WorkflowEngine("wf").Hub.WorkerCount.Should().Be(2);

        var client = WorkflowTestKit.Client(one);
        var ids = Enumerable.Range(0, 6).Select(i => $"pair-{i}").ToList();
        foreach (var id in ids)
        {
            await client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), id, new Order(id, 1));
        }

        foreach (var id in ids)
        {
            (await WorkflowTestKit.CompletedAsync(client, id)).RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Completed);
        }

        probe.Count(nameof(ShoutActivity)).Should().Be(12);
    }

    private static string? Status(HttpClient http, string id)
    {
        var response = http.GetAsync($"/v1.0/workflows/dapr/{id}").Result;
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.GetProperty("runtimeStatus").GetString()
            : null;
    }
}
