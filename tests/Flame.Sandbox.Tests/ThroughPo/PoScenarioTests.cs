using System.Text.Json.Nodes;

using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox.Tests.Support;

using k8s;

namespace Flame.Sandbox.Tests.ThroughPo;

/// <summary>
/// Issue 4 "Must show": a <c>sim/ok</c> analysis created through the PO's own Kubernetes client, manifests and nginx
/// config reaches Running, its proxied <c>/healthz</c> answers <c>executing</c> then <c>executed</c>, and its logs
/// are readable — every step over the wire, as the PO outside the cluster does it.
/// </summary>
public sealed class PoScenarioTests
{
    [Fact]
    public async Task A_sim_ok_analysis_runs_reports_executing_then_executed_and_has_logs()
    {
        // 60 s of simulated runtime in 3 s: long enough to see "executing" between polls, short for a test.
        await using var po = await PoDriver.StartAsync(timeScale: 0.05);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = cts.Token;

        var manifests = await po.DeployAsync("harbor.sandbox.local/sim/ok:runtime-60s_progress-4", ct);
        var d = manifests.Names.Deployment;
        var pod = await po.WaitForPodAsync(d, p => p.Status?.Phase == "Running", ct);
        pod.Status!.PodIP.Should().StartWith("10.244.");
        (await po.Client.CoreV1.ReadNamespacedConfigMapAsync(manifests.Names.NginxConfigMap, po.Namespace, cancellationToken: ct)).Data![AnalysisManifests.NginxConfigKey]
            .Should().Contain($"allow {pod.Status.PodIP};", "the nginx allow-list names the analysis pod");
        await po.WaitForPodAsync(manifests.Names.Nginx, p => p.Status?.Phase == "Running", ct);

        var seen = new List<string>();
        while (seen.LastOrDefault() != "executed")
        {
            var (code, body) = await HealthzAsync(po.Cluster, manifests.Names.Nginx, ct);
            if (code == 200 && body?["status"]?.GetValue<string>() is { } status && status != seen.LastOrDefault())
            {
                seen.Add(status);
                body["token_remaining_time"]!.GetValue<long>().Should().BeInRange(1, 600);
            }

            await Task.Delay(20, ct);
        }

        seen.Should().Equal("executing", "executed");
        await using var logStream = await po.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name!, po.Namespace, container: d, cancellationToken: ct);
        var logs = await new StreamReader(logStream).ReadToEndAsync(ct);
        logs.Should().Contain($"starting analysis {manifests.Names.AnalysisId} (scenario ok)").And.Contain("step 3/4 done").And.Contain("analysis finished");
    }

    private static async Task<(int Code, JsonNode? Body)> HealthzAsync(ClusterConnection cluster, string nginx, CancellationToken ct)
    {
        using var response = await cluster.ProxyAsync(nginx, 80, "/analysis/healthz", HttpMethod.Get, body: null, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return ((int)response.StatusCode, response.IsSuccessStatusCode ? JsonNode.Parse(text) : null);
    }
}
