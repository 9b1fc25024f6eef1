using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Hub;

public sealed class HubTests
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<HttpClient> LoginAsync(SandboxHarness h)
    {
        var client = new HttpClient();
        using var response = await client.PostAsync($"{h.Server.HubAuthUrl}/token", Json("""{"grant_type":"client_credentials","client_id":"flame-node-robot","client_secret":"flame-node-robot-secret"}"""));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        body.S("token_type").Should().Be("Bearer");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.S("access_token"));
        return client;
    }

    [Fact]
    public async Task Node_and_analysis_node_lookups_filter_and_page()
    {
        await using var h = await SandboxHarness.StartAsync();
        var ids = h.Server.Hub.RegisterAnalysis("a1", partners: 2);
        using var anonymous = new HttpClient();
        ((int)(await anonymous.GetAsync($"{h.Server.HubUrl}/nodes")).StatusCode).Should().Be(401);

        using var client = await LoginAsync(h);
        var nodes = JsonNode.Parse(await client.GetStringAsync($"{h.Server.HubUrl}/nodes?filter[client_id]=flame-node-robot&page[limit]=50&page[offset]=0&include=registry,registry_project"));
        nodes!["data"]!.AsArray().Should().ContainSingle();
        nodes["data"]![0].S("id").Should().Be(h.Server.Hub.OwnNodeId);

        var own = JsonNode.Parse(await client.GetStringAsync($"{h.Server.HubUrl}/analysis-nodes?filter[analysis_id]=a1&filter[node_id]={h.Server.Hub.OwnNodeId}&include=analysis,node"));
        own!["data"]![0].S("id").Should().Be(ids[0]);
        own["data"]![0]!["node"].S("id").Should().Be(h.Server.Hub.OwnNodeId);

        h.Server.SetPartnerStatus(ids[1], "executed");
        var page = JsonNode.Parse(await client.GetStringAsync($"{h.Server.HubUrl}/analysis-nodes?filter[analysis_id]=a1&page[limit]=2&page[offset]=1"));
        page!["meta"].S("total").Should().Be("3");
        page["data"]!.AsArray().Should().HaveCount(2);
        page["data"]![0].S("execution_status").Should().Be("executed");
    }

    [Fact]
    public async Task Status_updates_and_logs_answer_202_and_every_call_is_recorded()
    {
        await using var h = await SandboxHarness.StartAsync();
        var ids = h.Server.Hub.RegisterAnalysis("a1");
        using var client = await LoginAsync(h);
        using var update = await client.PostAsync($"{h.Server.HubUrl}/analysis-nodes/{ids[0]}", Json("""{"execution_status":"executing","execution_progress":40}"""));
        ((int)update.StatusCode).Should().Be(202);
        h.Server.Hub.AnalysisNodes("a1")[0].S("execution_progress").Should().Be("40");
        ((int)(await client.PostAsync($"{h.Server.HubUrl}/analysis-nodes/{ids[0]}", Json("""{"execution_status":"stuck"}"""))).StatusCode).Should().Be(400);
        ((int)(await client.PostAsync($"{h.Server.HubUrl}/analysis-nodes/00000000-0000-4000-8000-000000000000", Json("""{"execution_status":"failed"}"""))).StatusCode).Should().Be(404);
        using var log = await client.PostAsync($"{h.Server.HubUrl}/analysis-node-logs", Json($$"""{"analysis_id":"a1","node_id":"{{h.Server.Hub.OwnNodeId}}","code":null,"status":"executing","message":"hello","level":"info"}"""));
        ((int)log.StatusCode).Should().Be(202);
        h.Server.Hub.Logs.Should().ContainSingle(l => l.S("message") == "hello");

        var calls = h.Server.HubCalls;
        calls.Select(c => (c.Method, c.Path, c.StatusCode)).Should().ContainInOrder(
            ("POST", "/token", 200),
            ("POST", $"/analysis-nodes/{ids[0]}", 202),
            ("POST", "/analysis-node-logs", 202));
        calls.First(c => c.Path == $"/analysis-nodes/{ids[0]}").Body.Should().Contain("\"execution_progress\":40");

        var overHttp = JsonNode.Parse(await client.GetStringAsync($"{h.Server.HubUrl}/_sim/calls"))!.AsArray();
        overHttp.Should().HaveCount(calls.Count);
        overHttp[0].S("method").Should().Be("POST");
        overHttp[0].S("path").Should().Be("/token");
    }
}
