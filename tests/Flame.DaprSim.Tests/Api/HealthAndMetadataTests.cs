using System.Net;
using System.Text.Json.Nodes;

using Flame.DaprSim.Tests.Support;

namespace Flame.DaprSim.Tests.Api;

/// <summary>
/// Health and metadata (daprd: pkg/api/http/healthz.go, pkg/api/http/metadata.go, pkg/api/universal/metadata.go): the
/// sidecar is healthy once its app's port accepts connections, outbound-healthy once its components are loaded.
/// </summary>
public sealed class HealthAndMetadataTests
{
    [Fact]
    public async Task Healthz_waits_for_the_app_while_outbound_health_and_WaitForSidecarAsync_do_not()
    {
        var app = TestApp.NotStarted((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(), Sim.App("api", app.Port)));
        using var client = Sim.Client(sim.Sidecar("api"));
        using var http = Sim.Http(sim.Sidecar("api"));

        using var before = await http.GetAsync("/v1.0/healthz");
        before.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        JsonNode.Parse(await before.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>().Should().Be("ERR_HEALTH_NOT_READY");
        (await client.CheckHealthAsync()).Should().BeFalse();
        (await client.CheckOutboundHealthAsync()).Should().BeTrue();
        using var wait = new CancellationTokenSource(Sim.Patience);
        await client.WaitForSidecarAsync(wait.Token);

        await using (app)
        {
            await app.StartAgainAsync();
            await Sim.Until(() => sim.Sidecar("api").Ready, "app channel");
            (await client.CheckHealthAsync()).Should().BeTrue();
            (await http.GetAsync("/v1.0/healthz")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await http.GetAsync("/v1.0/healthz?appid=other")).StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        }
    }

    [Fact]
    public async Task Metadata_lists_the_components_in_scope_and_the_subscriptions()
    {
        await using var app = await TestApp.StartAsync(TestApp.Subscribing("""[{"pubsubname":"pubsub","topic":"analysis-events","route":"/events","deadLetterTopic":"dlq"}]"""));
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Components, Sim.App("lifecycle", app.Port), Sim.App("api", app.Port)));
        await Sim.ReadyAsync(sim.Sidecar("lifecycle"));
        using var client = Sim.Client(sim.Sidecar("lifecycle"));

        var metadata = await client.GetMetadataAsync();
        metadata.Id.Should().Be("lifecycle");
        metadata.Components.Select(c => (c.Name, c.Type, c.Version)).Should().BeEquivalentTo(
            [("pubsub", "pubsub.redis", "v1"), ("po-secrets", "secretstores.local.env", "v1"), ("statestore", "state.postgresql", "v2"), ("status-loop", "bindings.cron", "v1")]);
        (await Sim.Client(sim.Sidecar("api")).GetMetadataAsync()).Components.Select(c => c.Name).Should().BeEquivalentTo(["pubsub", "pubsub-replicas"]);

        using var http = Sim.Http(sim.Sidecar("lifecycle"));
        var json = JsonNode.Parse(await http.GetStringAsync("/v1.0/metadata"))!;
        json["id"]!.GetValue<string>().Should().Be("lifecycle");
        json["appConnectionProperties"]!["port"]!.GetValue<int>().Should().Be(app.Port);
        json["appConnectionProperties"]!["protocol"]!.GetValue<string>().Should().Be("http");
        var subscription = json["subscriptions"]![0]!;
        subscription["pubsubname"]!.GetValue<string>().Should().Be("pubsub");
        subscription["topic"]!.GetValue<string>().Should().Be("analysis-events");
        subscription["rules"]![0]!["path"]!.GetValue<string>().Should().Be("/events");
        subscription["deadLetterTopic"]!.GetValue<string>().Should().Be("dlq");
        subscription["type"]!.GetValue<string>().Should().Be("PROGRAMMATIC");
        json["components"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Contain("statestore");
    }
}
