using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Api;
using Flame.Po.Lifecycle.Analyses;
using Flame.Testing;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// MAX_CONCURRENT_ANALYSES=2 with long analyses, over the PO's API: never more than two analysis Deployments, a third
/// waits in the queue (status starting, reason queued with its place, no workload, no Keycloak client), starts once one
/// of the first two is stopped; a queued analysis can be stopped and deleted.
/// </summary>
public sealed class AdmissionQueueTests
{
    [Fact]
    public async Task With_a_limit_of_two_a_third_analysis_queues_until_a_slot_frees_and_a_queued_one_can_be_stopped_and_deleted()
    {
        await using var h = await LifecycleHarness.StartAsync(new Dictionary<string, string?> { ["MAX_CONCURRENT_ANALYSES"] = "2", ["ORPHAN_GRACE"] = "15" }, timeScale: 0.05, hub: true);
        await using var deployments = new DeploymentMonitor(h.Sandbox);
        var (first, second, third, fourth) = (Id(), Id(), Id(), Id());
        foreach (var id in new[] { first, second, third, fourth })
        {
            h.Sandbox.Hub.RegisterAnalysis(id);
        }

        foreach (var id in new[] { first, second, third })
        {
            using var created = await SendAsync(h, HttpMethod.Post, "/po/", ApiFixture.CreateBody(id));
            created.StatusCode.Should().Be(HttpStatusCode.OK);
            (await created.Content.ReadAsStringAsync()).Should().Be($$"""{"{{id}}":"starting"}""");
            // In order: the queue is first come, first served.
            await h.WaitForAsync(id, r => r.Phase != LifecyclePhase.Queued || id == third);
        }

        await h.WaitForAsync(first, r => r.Status == AnalysisStatus.Executing);
        await h.WaitForAsync(second, r => r.Status == AnalysisStatus.Executing);
        (await StatusOfAsync(h, third)).Should().Be("""{"status":"starting","progress":0,"reason":"queued","queue_position":1}""");
        h.ObjectsOf(third).Should().OnlyContain(o => o.StartsWith("secrets/", StringComparison.Ordinal), "a queued analysis has its Secrets only");
        h.Sandbox.Keycloak.Clients.Should().NotContain(c => c.ClientId == third, "no Keycloak client before it starts");
        await Wait.UntilAsync(() => h.Sandbox.Hub.AnalysisNode(third, h.Sandbox.Hub.OwnNodeId)?["execution_status"]?.GetValue<string>() == AnalysisStatus.Starting, TimeSpan.FromSeconds(60), "the Hub shows a queued analysis as starting");
        (await StatusOfAsync(h, first)).Should().Be("""{"status":"executing","progress":0}""", "a running analysis answers the old {status, progress} pair only");

        using (var created = await SendAsync(h, HttpMethod.Post, "/po/", ApiFixture.CreateBody(fourth)))
        {
            created.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await StatusOfAsync(h, fourth)).Should().Be("""{"status":"starting","progress":0,"reason":"queued","queue_position":2}""");
        await Wait.UntilAsync(async () => (await MetricsAsync(h)).Sum("flame_po_queued_analyses") == 2, TimeSpan.FromSeconds(60), "the queue's length is a metric");
        using (var stop = await SendAsync(h, HttpMethod.Put, $"/po/stop/{fourth}"))
        {
            stop.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await h.WaitForFinishedAsync(fourth)).Status.Should().Be(AnalysisStatus.Stopped);
        using (var delete = await SendAsync(h, HttpMethod.Delete, $"/po/delete/{fourth}"))
        {
            delete.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Wait.UntilAsync(() => h.ObjectsOf(fourth).Count == 0, TimeSpan.FromSeconds(60), "the deleted queued analysis' Secrets are gone");
        (await h.Database.CountAsync($"SELECT count(*) FROM archive WHERE analysis_id = '{fourth}'")).Should().Be(0, "a queued analysis had nothing to archive");

        using (var stop = await SendAsync(h, HttpMethod.Put, $"/po/stop/{first}"))
        {
            stop.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await h.WaitForAsync(third, r => r.Status == AnalysisStatus.Executing)).RestartCounter.Should().Be(1);
        await Wait.UntilAsync(async () => (await MetricsAsync(h)).Sum("flame_po_queued_analyses") == 0, TimeSpan.FromSeconds(60), "the queue is empty again");
        (await StatusOfAsync(h, third)).Should().Be("""{"status":"executing","progress":0}""");
        deployments.MaxConcurrentDeploymentsOverall.Should().Be(2, "never more than MAX_CONCURRENT_ANALYSES analysis Deployments");
    }

    private static string Id() => Guid.NewGuid().ToString();

    private static async Task<string> StatusOfAsync(LifecycleHarness h, string id)
    {
        using var response = await SendAsync(h, HttpMethod.Get, $"/po/status/{id}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())![id]!.ToJsonString();
    }

    private static async Task<Telemetry.PrometheusText> MetricsAsync(LifecycleHarness h) =>
        Telemetry.PrometheusText.Parse(await h.Host.Http.GetStringAsync("/metrics"));

    private static async Task<HttpResponseMessage> SendAsync(LifecycleHarness h, HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Sandbox.Tokens.Management());
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return await h.Host.Http.SendAsync(request);
    }
}
