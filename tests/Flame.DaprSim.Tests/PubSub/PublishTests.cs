using System.Net;
using System.Text.Json.Nodes;

using Dapr;
using Dapr.AspNetCore;

using Flame.DaprSim.Tests.Support;

using Grpc.Core;

namespace Flame.DaprSim.Tests.PubSub;

/// <summary>
/// Publishing (Dapr docs: publish-subscribe, "Envelope that Dapr generates"; daprd: pkg/api/grpc/grpc.go PublishEvent,
/// components-contrib pubsub/envelope.go) and delivery to the subscriber with <c>application/cloudevents+json</c>.
/// </summary>
public sealed class PublishTests
{
    public sealed record Order(string Id, int Quantity);

    private const string Subscribe = """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""";

    [Fact]
    public async Task PublishEventAsync_delivers_a_cloud_event_from_the_publisher_app_with_the_app_token()
    {
        await using var subscriber = await TestApp.StartAsync(TestApp.Subscribing(Subscribe, (app, _) => app.MapPost("/orders", () => Results.Ok())));
        await using var publisher = await TestApp.StartAsync((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()),
            Sim.App("lifecycle", publisher.Port, appToken: "lifecycle-app-token"), Sim.App("logging", subscriber.Port, appToken: "logging-app-token")));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        using var client = Sim.Client(sim.Sidecar("lifecycle"));

        using var activity = new System.Diagnostics.Activity("publish").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        await client.PublishEventAsync("pubsub", "orders", new Order("o1", 3));
        activity.Stop();

        await Sim.Until(() => subscriber.Received("/orders").Count == 1, "delivery");
        var delivery = subscriber.Received("/orders")[0];
        delivery.Header("content-type").Should().Be("application/cloudevents+json");
        delivery.Header("dapr-api-token").Should().Be("logging-app-token");
        var ce = JsonNode.Parse(delivery.Body)!.AsObject();
        ce["source"]!.GetValue<string>().Should().Be("lifecycle");
        ce["type"]!.GetValue<string>().Should().Be("com.dapr.event.sent");
        ce["specversion"]!.GetValue<string>().Should().Be("1.0");
        ce["datacontenttype"]!.GetValue<string>().Should().Be("application/json");
        ce["topic"]!.GetValue<string>().Should().Be("orders");
        ce["pubsubname"]!.GetValue<string>().Should().Be("pubsub");
        ce["data"]!["id"]!.GetValue<string>().Should().Be("o1");
        ce["data"]!["quantity"]!.GetValue<int>().Should().Be(3);
        Guid.TryParse(ce["id"]!.GetValue<string>(), out _).Should().BeTrue();
        DateTimeOffset.TryParse(ce["time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _).Should().BeTrue();
        ce["traceparent"]!.GetValue<string>().Should().StartWith($"00-{activity.TraceId}-").And.Be(ce["traceid"]!.GetValue<string>());
        ce.ContainsKey("tracestate").Should().BeTrue();
        await Sim.Until(() => sim.Deliveries.Count == 1, "the delivery record");
        sim.Deliveries.Should().ContainSingle(d => d.AppId == "logging" && d.Outcome == Inspection.DeliveryOutcome.Success);
    }

    [Fact]
    public async Task A_Dapr_AspNetCore_subscriber_with_MapSubscribeHandler_and_UseCloudEvents_gets_the_data()
    {
        var received = new TaskCompletionSource<Order>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscriber = await TestApp.StartAsync((app, _) =>
        {
            app.UseCloudEvents();
            app.MapSubscribeHandler();
            app.MapPost("/orders", (Order order) =>
            {
                received.TrySetResult(order);
                return Results.Ok();
            }).WithTopic("pubsub", "orders");
        });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()), Sim.App("logging", subscriber.Port)));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        sim.Sidecar("logging").Subscriptions.Should().ContainSingle(s => s.PubsubName == "pubsub" && s.Topic == "orders", "the SDK writes pubsubName, which daprd reads case-insensitively");
        using var client = Sim.Client(sim.Sidecar("logging"));

        await client.PublishEventAsync("pubsub", "orders", new Order("o9", 2));

        (await received.Task.WaitAsync(Sim.Patience)).Should().Be(new Order("o9", 2));
    }

    [Fact]
    public async Task A_cloud_event_published_as_application_cloudevents_json_is_kept_as_given()
    {
        await using var subscriber = await TestApp.StartAsync(TestApp.Subscribing(Subscribe, (app, _) => app.MapPost("/orders", () => Results.Ok())));
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()), Sim.App("logging", subscriber.Port)));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        using var http = Sim.Http(sim.Sidecar("logging"));

        var envelope = """{"id":"my-id","source":"elsewhere","type":"order.created","specversion":"1.0","datacontenttype":"application/json","data":{"a":1}}""";
        using var content = new StringContent(envelope, System.Text.Encoding.UTF8);
        content.Headers.ContentType = new("application/cloudevents+json");
        (await http.PostAsync("/v1.0/publish/pubsub/orders", content)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await Sim.Until(() => subscriber.Received("/orders").Count == 1, "delivery");
        var ce = JsonNode.Parse(subscriber.Received("/orders")[0].Body)!;
        ce["id"]!.GetValue<string>().Should().Be("my-id");
        ce["source"]!.GetValue<string>().Should().Be("elsewhere");
        ce["type"]!.GetValue<string>().Should().Be("order.created");
        ce["topic"]!.GetValue<string>().Should().Be("orders");
        ce["pubsubname"]!.GetValue<string>().Should().Be("pubsub");
    }

    [Fact]
    public async Task Publishing_to_a_pubsub_out_of_scope_or_unknown_fails_as_daprd()
    {
        await using var app = await TestApp.StartAsync((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub("scopes: [lifecycle]")), Sim.App("lifecycle", app.Port), Sim.App("other", app.Port)));
        using var client = Sim.Client(sim.Sidecar("other"));

        var failed = await client.Invoking(c => c.PublishEventAsync("pubsub", "orders", new Order("o", 1))).Should().ThrowAsync<DaprException>();
        var rpc = failed.Which.InnerException.Should().BeOfType<RpcException>().Which;
        rpc.StatusCode.Should().Be(StatusCode.InvalidArgument);
        rpc.Status.Detail.Should().Be("pubsub pubsub is not found");

        using var http = Sim.Http(sim.Sidecar("lifecycle"));
        using var response = await http.PostAsync("/v1.0/publish/nope/orders", Sim.Json("{}"));
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>().Should().Be("ERR_PUBSUB_NOT_FOUND");
        (await http.PostAsync("/v1.0/publish/pubsub/orders", Sim.Json("{}"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Routing_rules_pick_the_path_by_event_type_and_fall_back_to_the_default()
    {
        const string subscriptions = """
            [{"pubsubname":"pubsub","topic":"events","routes":{"rules":[{"match":"event.type == \"created\"","path":"/created"}],"default":"/other"}}]
            """;
        await using var subscriber = await TestApp.StartAsync(TestApp.Subscribing(subscriptions, (app, _) =>
        {
            app.MapPost("/created", () => Results.Ok());
            app.MapPost("/other", () => Results.Ok());
        }));
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()), Sim.App("logging", subscriber.Port)));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        using var client = Sim.Client(sim.Sidecar("logging"));

        await client.PublishEventAsync("pubsub", "events", new Order("a", 1), new Dictionary<string, string> { ["cloudevent.type"] = "created" });
        await client.PublishEventAsync("pubsub", "events", new Order("b", 1), new Dictionary<string, string> { ["cloudevent.type"] = "deleted" });

        await Sim.Until(() => subscriber.Received("/created").Count == 1 && subscriber.Received("/other").Count == 1, "both routes");
        JsonNode.Parse(subscriber.Received("/created")[0].Body)!["data"]!["id"]!.GetValue<string>().Should().Be("a");
    }
}
