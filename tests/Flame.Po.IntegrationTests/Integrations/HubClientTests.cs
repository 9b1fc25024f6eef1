using System.Net;
using System.Text.Json.Nodes;

using Flame.Po.Integrations;
using Flame.Po.Integrations.Hub;
using Flame.Sandbox;
using Flame.Sandbox.Faults;
using Flame.Sandbox.Hub;

using Microsoft.AspNetCore.WebUtilities;

namespace Flame.Po.IntegrationTests.Integrations;

public sealed class HubClientTests
{
    [Fact]
    public async Task Node_id_is_looked_up_once_with_the_documented_query()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var hub = harness.Sandbox.Hub;
        hub.RegisterAnalysis("an-1");
        var ct = IntegrationsHarness.Timeout();

        for (var i = 0; i < 3; i++)
        {
            (await harness.Hub.GetNodeIdAsync(ct)).Should().Be(hub.OwnNodeId);
        }

        await harness.Hub.FindAnalysisNodeIdAsync("an-1", ct);
        await harness.Hub.GetPartnerStatusesAsync("an-1", ct);
        await harness.Hub.CreateLogAsync("an-1", "info", "hello", "started", ct);

        var lookups = hub.Calls.Where(c => c.Method == "GET" && c.Path == "/nodes").ToList();
        lookups.Should().ContainSingle();
        Query(lookups[0]).Should().Equal(new Dictionary<string, string>
        {
            ["filter[client_id]"] = "flame-node-robot",
            ["page[limit]"] = "50",
            ["page[offset]"] = "0",
            ["include"] = "registry,registry_project",
        });
    }

    [Fact]
    public async Task Own_analysis_node_is_found_cached_and_unknown_analyses_are_null()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var hub = harness.Sandbox.Hub;
        var ids = hub.RegisterAnalysis("an-2", partners: 2);
        var ct = IntegrationsHarness.Timeout();

        (await harness.Hub.FindAnalysisNodeIdAsync("an-2", ct)).Should().Be(ids[0]);
        (await harness.Hub.FindAnalysisNodeIdAsync("an-2", ct)).Should().Be(ids[0]);
        (await harness.Hub.FindAnalysisNodeIdAsync("unknown", ct)).Should().BeNull();

        var lookups = hub.Calls.Where(c => c.Method == "GET" && c.Path == "/analysis-nodes").ToList();
        lookups.Should().HaveCount(2, "the hit is cached, the miss asked once");
        Query(lookups[0]).Should().Equal(new Dictionary<string, string>
        {
            ["filter[analysis_id]"] = "an-2",
            ["filter[node_id]"] = hub.OwnNodeId,
            ["page[limit]"] = "50",
            ["page[offset]"] = "0",
            ["include"] = "analysis,node",
        });
    }

    [Fact]
    public async Task Partner_statuses_leave_out_the_own_entry_and_keep_nulls()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var hub = harness.Sandbox.Hub;
        var ids = hub.RegisterAnalysis("an-3", partners: 2);
        harness.Sandbox.SetPartnerStatus(ids[0], "executing");
        harness.Sandbox.SetPartnerStatus(ids[1], "executed");

        var statuses = await harness.Hub.GetPartnerStatusesAsync("an-3", IntegrationsHarness.Timeout());

        statuses.Should().Equal(new Dictionary<string, string?> { [ids[1]] = "executed", [ids[2]] = null });
        var query = Query(hub.Calls.Last(c => c.Path == "/analysis-nodes"));
        query.Should().Equal(new Dictionary<string, string>
        {
            ["filter[analysis_id]"] = "an-3",
            ["page[limit]"] = "50",
            ["page[offset]"] = "0",
            ["include"] = "analysis,node",
        });
    }

    [Fact]
    public async Task Updates_send_exactly_the_status_and_optionally_the_progress()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var hub = harness.Sandbox.Hub;
        var own = hub.RegisterAnalysis("an-4")[0];
        var ct = IntegrationsHarness.Timeout();

        await harness.Hub.UpdateAnalysisNodeAsync(own, "started", null, ct);
        await harness.Hub.UpdateAnalysisNodeAsync(own, "executing", 40, ct);
        await harness.Hub.UpdateAnalysisNodeAsync(own, "stuck", null, ct);

        var bodies = hub.Calls.Where(c => c.Method == "POST" && c.Path == $"/analysis-nodes/{own}").Select(c => JsonNode.Parse(c.Body!)).ToList();
        bodies.Should().HaveCount(3);
        JsonNode.DeepEquals(bodies[0], new JsonObject { ["execution_status"] = "started" }).Should().BeTrue(bodies[0]!.ToJsonString());
        JsonNode.DeepEquals(bodies[1], new JsonObject { ["execution_status"] = "executing", ["execution_progress"] = 40 }).Should().BeTrue(bodies[1]!.ToJsonString());
        JsonNode.DeepEquals(bodies[2], new JsonObject { ["execution_status"] = "failed" }).Should().BeTrue(bodies[2]!.ToJsonString());
        hub.AnalysisNode("an-4", hub.OwnNodeId)!["execution_status"]!.GetValue<string>().Should().Be("failed");
    }

    [Fact]
    public async Task Log_lines_have_the_hub_shape_and_stuck_becomes_failed()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var hub = harness.Sandbox.Hub;

        await harness.Hub.CreateLogAsync("an-5", "warn", "the analysis is stuck", "stuck", IntegrationsHarness.Timeout());

        var call = hub.Calls.Single(c => c.Path == "/analysis-node-logs");
        call.StatusCode.Should().Be(202);
        var expected = new JsonObject
        {
            ["analysis_id"] = "an-5",
            ["node_id"] = hub.OwnNodeId,
            ["code"] = null,
            ["status"] = "failed",
            ["message"] = "the analysis is stuck",
            ["level"] = "warn",
        };
        JsonNode.DeepEquals(JsonNode.Parse(call.Body!), expected).Should().BeTrue(call.Body);
    }

    [Theory]
    [InlineData("running", "info")]
    [InlineData("started", "warning")]
    [InlineData("Started", "info")]
    public async Task Values_outside_the_hub_enumerations_are_refused_before_sending(string status, string level)
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var ct = IntegrationsHarness.Timeout();

        var log = () => harness.Hub.CreateLogAsync("an-6", level, "m", status, ct);
        await log.Should().ThrowAsync<ArgumentException>();
        if (status != "started")
        {
            var update = () => harness.Hub.UpdateAnalysisNodeAsync("some-id", status, null, ct);
            await update.Should().ThrowAsync<ArgumentException>();
        }

        harness.Sandbox.Hub.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task One_token_serves_many_calls_and_a_401_renews_it_once()
    {
        var sandboxTime = new ShiftableTime();
        await using var harness = await IntegrationsHarness.StartAsync(sandboxOptions: new SandboxOptions { TimeScale = 0.001, TimeProvider = sandboxTime });
        var hub = harness.Sandbox.Hub;
        var own = hub.RegisterAnalysis("an-7")[0];
        var ct = IntegrationsHarness.Timeout();

        for (var i = 0; i < 4; i++)
        {
            await harness.Hub.UpdateAnalysisNodeAsync(own, "executing", i * 10, ct);
        }

        hub.Calls.Count(c => c.Path == "/token").Should().Be(1);

        // The Hub now considers the cached token expired, while the client still holds it as fresh.
        sandboxTime.Advance(TimeSpan.FromHours(2));
        await harness.Hub.UpdateAnalysisNodeAsync(own, "executed", 100, ct);

        hub.Calls.Count(c => c.Path == "/token").Should().Be(2);
        hub.Calls.Where(c => c.Path == $"/analysis-nodes/{own}").Select(c => c.StatusCode).TakeLast(2).Should().Equal(401, 202);
    }

    [Fact]
    public async Task A_hub_outage_is_unavailable_after_retries_and_then_the_circuit_fails_fast()
    {
        await using var harness = await IntegrationsHarness.StartAsync(resilience: o => o.CircuitMinimumThroughput = 6);
        var hub = harness.Sandbox.Hub;
        var own = hub.RegisterAnalysis("an-8")[0];
        var ct = IntegrationsHarness.Timeout();
        await harness.Hub.GetNodeIdAsync(ct);
        harness.Sandbox.Faults.Add(new FaultRule { Route = "hub:*", StatusCode = 503 });

        var first = () => harness.Hub.UpdateAnalysisNodeAsync(own, "executing", null, ct);
        var error = (await first.Should().ThrowAsync<IntegrationUnavailableException>()).Which;
        error.Dependency.Should().Be("hub");
        Updates(harness.Sandbox).Should().Be(3, "one try and two retries");

        // Two successes (token, node) and four failures reach the minimum throughput of six: the circuit opens.
        await first.Should().ThrowAsync<IntegrationUnavailableException>();
        var sent = Updates(harness.Sandbox);
        // Failing fast is shown by what happened, not by a stopwatch: no request reached the Hub and the open circuit answered.
        var fast = (await first.Should().ThrowAsync<IntegrationUnavailableException>()).Which;
        fast.InnerException.Should().BeAssignableTo<Polly.CircuitBreaker.BrokenCircuitException>();
        Updates(harness.Sandbox).Should().Be(sent);
    }

    [Fact]
    public async Task Without_hub_settings_nothing_is_sent()
    {
        await using var harness = await IntegrationsHarness.StartAsync(s =>
        {
            s["HUB_URL_CORE"] = null;
            s["HUB_URL_AUTH"] = null;
            s["HUB_CLIENT_ID"] = null;
            s["HUB_CLIENT_SECRET"] = null;
        });
        var client = harness.Hub;
        var ct = IntegrationsHarness.Timeout();

        client.IsConfigured.Should().BeFalse();
        (await client.GetNodeIdAsync(ct)).Should().BeEmpty();
        (await client.FindAnalysisNodeIdAsync("an-9", ct)).Should().BeNull();
        (await client.GetPartnerStatusesAsync("an-9", ct)).Should().BeEmpty();
        await client.UpdateAnalysisNodeAsync("x", "started", 5, ct);
        await client.CreateLogAsync("an-9", "info", "m", "started", ct);

        harness.Sandbox.Hub.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task Wrong_hub_credentials_are_rejected()
    {
        await using var harness = await IntegrationsHarness.StartAsync(s => s["HUB_CLIENT_SECRET"] = "not-the-hub-secret");

        var act = () => harness.Hub.GetNodeIdAsync(IntegrationsHarness.Timeout());

        var error = (await act.Should().ThrowAsync<IntegrationRejectedException>()).Which;
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.Message.Should().Contain("invalid_client").And.NotContain("not-the-hub-secret");
    }

    [Fact]
    public async Task Secrets_and_tokens_never_reach_the_logs()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var hub = harness.Sandbox.Hub;
        var own = hub.RegisterAnalysis("an-10")[0];
        var ct = IntegrationsHarness.Timeout();

        var token = await harness.Keycloak.IssueTokenAsync("an-10", ct);
        await harness.Keycloak.DeleteClientAsync("an-10", ct);
        await harness.Hub.UpdateAnalysisNodeAsync(own, "started", null, ct);
        await harness.Hub.CreateLogAsync("an-10", "info", "started", "started", ct);
        harness.Sandbox.Faults.Add(new FaultRule { Route = "*", StatusCode = 500 });
        await ((Func<Task>)(() => harness.Hub.UpdateAnalysisNodeAsync(own, "executing", null, ct))).Should().ThrowAsync<IntegrationUnavailableException>();
        await ((Func<Task>)(() => harness.Keycloak.IssueTokenAsync("an-11", ct))).Should().ThrowAsync<IntegrationUnavailableException>();

        var logs = harness.Logs.All;
        logs.Should().NotBeEmpty();
        logs.Should().NotContain("flame-po-secret").And.NotContain("flame-node-robot-secret").And.NotContain(token.AccessToken);
        logs.Should().NotContain("Bearer ");
    }

    /// <summary>Counted before fault injection (the call recorder sits behind it and misses faulted requests).</summary>
    private static long Updates(SandboxServer sandbox) => sandbox.Counters.Get("hub:POST:/analysis-nodes/{id}");

    private static Dictionary<string, string> Query(HubCall call) =>
        QueryHelpers.ParseQuery(call.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
}
