using System.Net;
using System.Text.Json;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Api;
using Flame.Po.IntegrationTests.Lifecycle;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// Transitions as Dapr workflows in three-process mode: the lifecycle's Dapr.Workflow runtime against the simulated
/// sidecar's workflow engine. One instance per transition, readable through the sidecar's workflow API, no secret in
/// any input, output or custom status.
/// </summary>
public sealed class ThreeProcessWorkflowTests(ThreeProcessFixture fixture) : IClassFixture<ThreeProcessFixture>
{
    private ThreeProcessHarness H => fixture.H;

    [Fact]
    public async Task A_create_runs_one_start_workflow_and_stop_and_delete_run_as_workflows_without_a_secret_in_them()
    {
        var id = Guid.NewGuid().ToString();
        H.Sandbox.Hub.RegisterAnalysis(id);
        using (var created = await H.CallAsync(HttpMethod.Post, "/po/", ApiFixture.CreateBody(id)))
        {
            created.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await H.WaitForStatusAsync(id, s => s.Status == AnalysisStatus.Executing);
        await ThreeProcessHarness.WaitUntilAsync(async () => (await H.WorkflowsOfAsync(id)).All(w => w.RuntimeStatus == "COMPLETED"), "the start workflow completes");
        var start = (await H.WorkflowsOfAsync(id)).Should().ContainSingle("a create is one transition: one instance").Subject;
        start.WorkflowName.Should().Be("StartDeploymentWorkflow");
        start.InstanceId.Should().MatchRegex($"^{id}-start-1-[0-9]+$");

        // The sidecar's workflow API, as an operator reads it.
        using var sidecar = H.SidecarOf("lifecycle");
        using (var read = await sidecar.GetAsync($"v1.0/workflows/dapr/{start.InstanceId}"))
        {
            read.StatusCode.Should().Be(HttpStatusCode.OK);
            var body = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement;
            body.GetProperty("instanceID").GetString().Should().Be(start.InstanceId);
            body.GetProperty("workflowName").GetString().Should().Be("StartDeploymentWorkflow");
            body.GetProperty("runtimeStatus").GetString().Should().Be("COMPLETED");
            var custom = JsonDocument.Parse(body.GetProperty("properties").GetProperty("dapr.workflow.custom_status").GetString()!).RootElement;
            custom.GetProperty("transition").GetString().Should().Be("start");
            custom.GetProperty("analysisId").GetString().Should().Be(id);
            custom.GetProperty("deployment").GetInt32().Should().Be(1);
            custom.GetProperty("state").GetString().Should().Be("done");
            custom.GetProperty("stepNumber").GetInt32().Should().BeGreaterThanOrEqualTo(3, "token, objects before nginx, nginx");
        }

        using (var stop = await H.CallAsync(HttpMethod.Put, $"/po/stop/{id}"))
        {
            stop.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await ThreeProcessHarness.WaitUntilAsync(async () => H.ObjectsOf(id).Count == 0 && await AllCompletedAsync(id, 2), "the stop workflow completes and removes every object");
        var stopped = (await H.WorkflowsOfAsync(id))[1];
        stopped.WorkflowName.Should().Be("StopAnalysisWorkflow");
        stopped.InstanceId.Should().MatchRegex($"^{id}-stop-[0-9]+$");

        using (var delete = await H.CallAsync(HttpMethod.Delete, $"/po/delete/{id}"))
        {
            delete.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await ThreeProcessHarness.WaitUntilAsync(async () => await AllCompletedAsync(id, 3), "the delete workflow completes");
        (await H.WorkflowsOfAsync(id))[2].WorkflowName.Should().Be("DeleteAnalysisWorkflow");
        using (var gone = await H.CallAsync(HttpMethod.Get, $"/po/status/{id}"))
        {
            await ApiFixture.ShouldBeProblemAsync(gone, 404);
        }

        foreach (var workflow in await H.WorkflowsOfAsync(id))
        {
            var stored = string.Join('\n', workflow.Input, workflow.Output, workflow.CustomStatus);
            stored.Should().NotContain("registry-password").And.NotContain("none_needed", "workflow history is stored in clear");
        }
    }

    [Fact]
    public async Task A_stuck_analysis_restarts_as_workflow_instances_one_deployment_at_a_time_and_fails_after_the_tenth()
    {
        var id = Guid.NewGuid().ToString();
        H.Sandbox.Hub.RegisterAnalysis(id);
        await using var deployments = new DeploymentMonitor(H.Sandbox);
        using (var created = await H.CallAsync(HttpMethod.Post, "/po/", ApiFixture.CreateBody(id, "harbor.sandbox.local/sim/stuck")))
        {
            created.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await H.WaitForStatusAsync(id, s => AnalysisStatus.IsTerminal(s.Status))).Status.Should().Be(AnalysisStatus.Failed);
        await ThreeProcessHarness.WaitUntilAsync(async () => H.ObjectsOf(id).Count == 0 && await AllCompletedAsync(id, 20), "the failed analysis is cleaned up");

        var workflows = await H.WorkflowsOfAsync(id);
        workflows.Where(w => w.WorkflowName == "StartDeploymentWorkflow").Select(w => w.InstanceId.Split('-')[^2])
            .Should().Equal(Enumerable.Range(1, 10).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), "one start per deployment, ten deployments");
        workflows.Where(w => w.WorkflowName == "RestartDeploymentWorkflow").Select(w => w.InstanceId.Split('-')[^2])
            .Should().Equal(Enumerable.Range(1, 9).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), "nine restarts between them");
        workflows.Where(w => w.WorkflowName == "StopAnalysisWorkflow").Should().ContainSingle();
        workflows.Should().HaveCount(20);
        deployments.MaxConcurrentDeployments(id).Should().Be(1, "a new deployment starts only once the previous one is gone");
        (await H.Database.CountAsync($"SELECT count(*) FROM archive WHERE analysis_id = '{id}'")).Should().Be(10, "every deployment's logs are archived");
        H.Sandbox.Keycloak.Clients.Count(c => c.ClientId == id).Should().BeLessThanOrEqualTo(1);
    }

    private async Task<bool> AllCompletedAsync(string id, int count)
    {
        var workflows = await H.WorkflowsOfAsync(id);
        return workflows.Count >= count && workflows.All(w => w.RuntimeStatus == "COMPLETED");
    }
}
