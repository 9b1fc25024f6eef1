using System.Net;

using Dapr;

using Flame.DaprSim.Tests.Support;

using Grpc.Core;

namespace Flame.DaprSim.Tests.Api;

/// <summary>
/// API tokens (Dapr docs: api-token and app-api-token; daprd: pkg/api/http/middlewares.go, pkg/api/grpc/auth.go): the app
/// must send DAPR_API_TOKEN on every sidecar call but the health checks; the sidecar sends APP_API_TOKEN on every app call.
/// </summary>
public sealed class TokenTests
{
    private const string Subscribe = """[{"pubsubname":"pubsub","topic":"t","route":"/t"}]""";

    [Fact]
    public async Task Sidecar_calls_without_or_with_a_wrong_token_are_rejected_except_the_health_checks()
    {
        await using var app = await TestApp.StartAsync((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.StateStore), Sim.App("lifecycle", app.Port, apiToken: "secret")));
        await Sim.ReadyAsync(sim.Sidecar("lifecycle"));
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{sim.Sidecar("lifecycle").HttpPort}") };

        using var missing = await anonymous.GetAsync("/v1.0/state/statestore/k");
        missing.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await missing.Content.ReadAsStringAsync()).Should().Be("invalid api token\n");
        using var wrong = Sim.Http(sim.Sidecar("lifecycle"), "wrong");
        (await wrong.GetAsync("/v1.0/metadata")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await wrong.GetAsync("/v1.0/invoke/lifecycle/method/x")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/v1.0/healthz")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await anonymous.GetAsync("/v1.0/healthz/outbound")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var right = Sim.Http(sim.Sidecar("lifecycle"));
        (await right.GetAsync("/v1.0/state/statestore/k")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        using var noToken = Sim.Client(sim.Sidecar("lifecycle"), token: "");
        var failed = await noToken.Invoking(c => c.GetStateAsync<string>("statestore", "k")).Should().ThrowAsync<DaprException>();
        failed.Which.InnerException.Should().BeOfType<RpcException>().Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
        using var wrongToken = Sim.Client(sim.Sidecar("lifecycle"), token: "wrong");
        var failed2 = await wrongToken.Invoking(c => c.GetStateAsync<string>("statestore", "k")).Should().ThrowAsync<DaprException>();
        failed2.Which.InnerException.Should().BeOfType<RpcException>().Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
        using var client = Sim.Client(sim.Sidecar("lifecycle"));
        (await client.GetStateAsync<string>("statestore", "k")).Should().BeNull();
    }

    [Fact]
    public async Task The_app_token_comes_with_subscription_reads_deliveries_and_cron_triggers()
    {
        const string cron = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: tick }
            spec:
              type: bindings.cron
              version: v1
              metadata:
                - { name: schedule, value: "@every 1s" }
                - { name: direction, value: input }
            """;
        await using var app = await TestApp.StartAsync(TestApp.Subscribing(Subscribe, (a, _) =>
        {
            a.MapPost("/t", () => Results.Ok());
            a.MapPost("/tick", () => Results.Ok());
        }));
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub(), cron), Sim.App("logging", app.Port, appToken: "app-secret")));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        using var client = Sim.Client(sim.Sidecar("logging"));
        await client.PublishEventAsync("pubsub", "t", new { n = 1 });

        await Sim.Until(() => app.Received("/t").Count == 1 && app.Received("/tick").Count >= 1, "delivery and tick");
        app.Requests.Select(r => r.Header("dapr-api-token")).Should().OnlyContain(t => t == "app-secret");
        app.Requests.Select(r => r.Path).Should().Contain("/dapr/subscribe");
    }
}
