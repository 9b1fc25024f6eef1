using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Scenarios;

public sealed class AnalysisProxyTests
{
    /// <summary>The PO's object set for one analysis: analysis Deployment + Service D, nginx Deployment + Service N.</summary>
    private static async Task CreateAnalysisAsync(SandboxHarness h, string d, string image, string? token = null)
    {
        var deployment = SandboxHarness.Deployment(d, image);
        if (token is not null)
        {
            deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Add(new JsonObject { ["name"] = "KEYCLOAK_TOKEN", ["value"] = token });
        }

        (await h.PostAsync(h.Deployments, deployment)).Code.Should().Be(201);
        (await h.PostAsync(h.Services, SandboxHarness.Service(d, d))).Code.Should().Be(201);
        (await h.PostAsync(h.Deployments, SandboxHarness.Deployment($"nginx-{d}", "nginx:1.29.8"))).Code.Should().Be(201);
        (await h.PostAsync(h.Services, SandboxHarness.Service($"nginx-{d}", $"nginx-{d}", 80, 80))).Code.Should().Be(201);
    }

    private static string Proxy(SandboxHarness h, string d, string path) => $"/api/v1/namespaces/{h.Ns}/services/nginx-{d}:80/proxy/{path}";

    [Fact]
    public async Task Healthz_through_the_nginx_service_proxy_reports_status_progress_and_token_time()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = h.Server.Tokens.Analysis("a1", TimeSpan.FromMinutes(5));
        await CreateAnalysisAsync(h, "analysis-a1-0", "sim/ok?runtime=2s&progress=4", token);
        await h.WaitForPodAsync("app=nginx-analysis-a1-0", p => p.S("status", "phase") == "Running");
        var nginx = await h.Http.GetAsync(Proxy(h, "analysis-a1-0", "healthz"));
        ((int)nginx.StatusCode).Should().Be(200);
        (await nginx.Content.ReadAsStringAsync()).Should().Be("healthy");

        await h.WaitForPodAsync("app=analysis-a1-0", p => p.S("status", "phase") == "Running");
        JsonNode? health = null;
        await DeletionTestsAccess.WaitUntilAsync(() =>
        {
            health = h.GetAsync(Proxy(h, "analysis-a1-0", "analysis/healthz")).GetAwaiter().GetResult().Body;
            return health.S("status") == "executed";
        });
        health!["token_remaining_time"]!.GetValue<long>().Should().BeInRange(1, 300);
        h.Server.FindAnalysis("analysis-a1-0")!.Progress.Should().Be(100);

        var partner = await h.PostAsync(Proxy(h, "analysis-a1-0", "analysis/partner_status"), JsonNode.Parse("""{"partner_status":{"n2":"executing"}}""")!);
        partner.Body.S("status").Should().Be("executed");
        h.Server.FindAnalysis("analysis-a1-0")!.PartnerStatusCalls.Should().ContainSingle();

        var longer = h.Server.Tokens.Analysis("a1", TimeSpan.FromHours(1));
        (await h.PostAsync(Proxy(h, "analysis-a1-0", "analysis/token_refresh"), new JsonObject { ["token"] = longer })).Code.Should().Be(200);
        (await h.GetAsync(Proxy(h, "analysis-a1-0", "analysis/healthz"))).Body!["token_remaining_time"]!.GetValue<long>().Should().BeGreaterThan(300);
        (await h.PostAsync(Proxy(h, "analysis-a1-0", "analysis/token_refresh"), new JsonObject { ["token"] = "garbage" })).Code.Should().Be(400);
        (await h.GetAsync(Proxy(h, "analysis-a1-0", "kong/x"))).Code.Should().Be(403);
    }

    [Fact]
    public async Task Stuck_analysis_reports_stuck()
    {
        await using var h = await SandboxHarness.StartAsync();
        await CreateAnalysisAsync(h, "analysis-s-0", "sim/stuck");
        await h.WaitForPodAsync("app=nginx-analysis-s-0", p => p.S("status", "phase") == "Running");
        await h.WaitForPodAsync("app=analysis-s-0", p => p.S("status", "phase") == "Running");
        await DeletionTestsAccess.WaitUntilAsync(() => h.GetAsync(Proxy(h, "analysis-s-0", "analysis/healthz")).GetAwaiter().GetResult().Body.S("status") == "stuck");
    }

    [Fact]
    public async Task Slow_start_answers_502_from_nginx_until_the_sdk_listens()
    {
        await using var h = await SandboxHarness.StartAsync(new SandboxOptions { TimeScale = 0.01 });
        await CreateAnalysisAsync(h, "analysis-w-0", "sim/slow-start?delay=90s");
        await h.WaitForPodAsync("app=nginx-analysis-w-0", p => p.S("status", "phase") == "Running");
        await h.WaitForPodAsync("app=analysis-w-0", p => p.S("status", "phase") == "Running");
        (await h.GetAsync(Proxy(h, "analysis-w-0", "analysis/healthz"))).Code.Should().Be(502);
        await DeletionTestsAccess.WaitUntilAsync(() => h.GetAsync(Proxy(h, "analysis-w-0", "analysis/healthz")).GetAwaiter().GetResult().Code == 200);
    }

    [Fact]
    public async Task Proxy_without_ready_endpoints_is_503_and_missing_service_404()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Services, SandboxHarness.Service("nginx-x", "nobody", 80, 80));
        var (code, body) = await h.GetAsync($"/api/v1/namespaces/{h.Ns}/services/nginx-x:80/proxy/healthz");
        code.Should().Be(503);
        body.S("message").Should().Be("no endpoints available for service \"nginx-x\"");
        (await h.GetAsync($"/api/v1/namespaces/{h.Ns}/services/nginx-y:80/proxy/healthz")).Code.Should().Be(404);
    }

    [Fact]
    public async Task Analyses_stream_their_log_lines_with_their_token()
    {
        await using var h = await SandboxHarness.StartAsync();
        h.Server.StreamLogsUrl = new Uri(h.Server.HubUrl + "/stream-sink");
        var token = h.Server.Tokens.Analysis("a1");
        await CreateAnalysisAsync(h, "analysis-l-0", "sim/ok?runtime=1s&progress=2", token);
        await DeletionTestsAccess.WaitUntilAsync(() => h.Server.HubCalls.Any(c => c.Path == "/stream-sink"));
        var call = h.Server.HubCalls.First(c => c.Path == "/stream-sink");
        var body = JsonNode.Parse(call.Body!);
        body.S("analysis_id").Should().Be("a1");
        body.S("log_type").Should().Be("info");
        body.S("status").Should().Be("executing");
        body.S("progress").Should().Be("50");
    }
}
