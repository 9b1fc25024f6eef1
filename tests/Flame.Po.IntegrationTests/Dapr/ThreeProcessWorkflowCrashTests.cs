using System.Net;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.Faults;
using Flame.Po.IntegrationTests.Api;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.Lifecycle.Reconciler;
using Xunit.Abstractions;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// The lifecycle process killed inside each activity of a start and of a restart (three-process mode, a fault point
/// per kill, the next one armed in the process started after it): the simulated sidecar hands the interrupted
/// activity to the new process, which carries the transition on. Same final status as without kills, never two
/// deployments of the analysis at once, no object left behind, no second Keycloak client.
/// </summary>
public sealed class ThreeProcessWorkflowCrashTests(ITestOutputHelper output)
{
    /// <summary>In transition order: each is reached after the previous kill (a re-run step that is done already is skipped).</summary>
    public static readonly string[] StartPoints =
    [
        LifecycleFaultPoints.AfterRefreshToken, LifecycleFaultPoints.CreatedAnalysisPolicy, LifecycleFaultPoints.CreatedAnalysisDeployment, LifecycleFaultPoints.AfterCreateObjects,
        LifecycleFaultPoints.CreatedNginxConfigMap, LifecycleFaultPoints.CreatedNginxDeployment,
    ];

    public static readonly string[] RestartPoints =
    [
        LifecycleFaultPoints.BeforeArchiveDeployment, LifecycleFaultPoints.AfterArchiveDeployment, LifecycleFaultPoints.BeforeDeleteDeploymentObjects, LifecycleFaultPoints.AfterDeleteDeploymentObjects,
        LifecycleFaultPoints.BeforeRedeploy, LifecycleFaultPoints.AfterRedeploy,
    ];

    [Fact]
    public async Task Killed_inside_each_activity_of_a_start_the_analysis_still_runs_with_one_deployment_and_stops_cleanly()
    {
        await using var h = await ThreeProcessHarness.StartAsync();
        await using var deployments = new DeploymentMonitor(h.Sandbox);
        var id = Guid.NewGuid().ToString();
        h.Sandbox.Hub.RegisterAnalysis(id);

        await KillAtEachAsync(h, StartPoints, async () =>
        {
            using var created = await h.CallAsync(HttpMethod.Post, "/po/", ApiFixture.CreateBody(id));
            created.StatusCode.Should().Be(HttpStatusCode.OK);
        });

        await h.WaitForStatusAsync(id, s => s.Status == AnalysisStatus.Executing);
        var starts = await h.WorkflowsOfAsync(id);
        starts.Should().ContainSingle("the start is one instance however often its process died").Which.WorkflowName.Should().Be("StartDeploymentWorkflow");
        h.ObjectsOf(id).Where(o => !o.StartsWith("pods/", StringComparison.Ordinal)).Should().HaveCount(9, "seven deployment objects and two Secrets, each once");
        h.Sandbox.Keycloak.Clients.Count(c => c.ClientId == id).Should().Be(1);

        using (var stop = await h.CallAsync(HttpMethod.Put, $"/po/stop/{id}"))
        {
            stop.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await h.WaitForStatusAsync(id, s => AnalysisStatus.IsTerminal(s.Status))).Status.Should().Be(AnalysisStatus.Stopped);
        await ThreeProcessHarness.WaitUntilAsync(() => h.ObjectsOf(id).Count == 0, "no object is left behind");
        deployments.MaxConcurrentDeployments(id).Should().Be(1);
    }

    [Fact]
    public async Task Killed_inside_each_activity_of_a_restart_a_stuck_analysis_still_fails_after_ten_deployments_one_at_a_time()
    {
        await using var h = await ThreeProcessHarness.StartAsync();
        await using var deployments = new DeploymentMonitor(h.Sandbox);
        var id = Guid.NewGuid().ToString();
        h.Sandbox.Hub.RegisterAnalysis(id);

        await KillAtEachAsync(h, RestartPoints, async () =>
        {
            using var created = await h.CallAsync(HttpMethod.Post, "/po/", ApiFixture.CreateBody(id, "harbor.sandbox.local/sim/stuck"));
            created.StatusCode.Should().Be(HttpStatusCode.OK);
        });

        (await h.WaitForStatusAsync(id, s => AnalysisStatus.IsTerminal(s.Status))).Status.Should().Be(AnalysisStatus.Failed);
        await ThreeProcessHarness.WaitUntilAsync(() => h.ObjectsOf(id).Count == 0, "no object is left behind");
        var workflows = await h.WorkflowsOfAsync(id);
        workflows.Count(w => w.WorkflowName == "StartDeploymentWorkflow").Should().Be(10, "one start per deployment");
        workflows.Count(w => w.WorkflowName == "RestartDeploymentWorkflow").Should().Be(9, "one instance per restart, however often its process died");
        deployments.MaxConcurrentDeployments(id).Should().Be(1, "a new deployment starts only once the previous one is gone");
        (await h.Database.CountAsync($"SELECT count(*) FROM archive WHERE analysis_id = '{id}'")).Should().Be(10, "each deployment archived once");
        h.Sandbox.Keycloak.Clients.Count(c => c.ClientId == id).Should().BeLessThanOrEqualTo(1);
        await ThreeProcessHarness.WaitUntilAsync(() => h.HubStatus(id) == AnalysisStatus.Failed, "the Hub is told");
    }

    /// <summary>
    /// Restarts the lifecycle armed with the first point, runs <paramref name="begin"/>, then for each point waits for
    /// the process to kill itself there and starts the next one armed with the next point (the last one unarmed).
    /// </summary>
    private async Task KillAtEachAsync(ThreeProcessHarness h, string[] points, Func<Task> begin)
    {
        await h.KillAsync("lifecycle");
        h.Start("lifecycle", Armed(points[0]));
        await h.WaitForReadyAsync("lifecycle");
        await begin();
        for (var i = 0; i < points.Length; i++)
        {
            try
            {
                await h.WaitForExitAsync("lifecycle", TimeSpan.FromSeconds(90));
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the lifecycle never reached the fault point {points[i]}:\n{h.Output("lifecycle")}");
            }

            output.WriteLine($"killed at {points[i]}");
            h.Start("lifecycle", i + 1 < points.Length ? Armed(points[i + 1]) : null);
        }

        await h.WaitForReadyAsync("lifecycle");
    }

    private static Dictionary<string, string?> Armed(string point) => new() { [FaultPoints.Variable] = point };
}
