using Flame.DaprSim.Inspection;
using Flame.DaprSim.Tests.Support;

namespace Flame.DaprSim.Tests.PubSub;

/// <summary>
/// Delivery guarantees: at-least-once across app restarts, dead-letter topics (daprd: pkg/runtime/subscription/subscription.go),
/// consumer groups (pubsub.redis consumerID, default the app id; daprd pkg/runtime/meta/meta.go expands {podName}/{uuid}).
/// </summary>
public sealed class DeliveryTests
{
    private const string Subscribe = """[{"pubsubname":"pubsub","topic":"t","route":"/t"}]""";

    [Fact]
    public async Task A_message_published_while_the_subscriber_is_down_is_delivered_after_its_restart()
    {
        await using var subscriber = await TestApp.StartAsync(TestApp.Subscribing(Subscribe, (app, _) => app.MapPost("/t", () => Results.Ok())));
        await using var publisher = await TestApp.StartAsync((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()), Sim.App("lifecycle", publisher.Port), Sim.App("logging", subscriber.Port)));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        using var client = Sim.Client(sim.Sidecar("lifecycle"));

        await subscriber.StopAsync();
        await client.PublishEventAsync("pubsub", "t", new { n = 1 });
        await Sim.Until(() => sim.Deliveries.Count(d => d.Outcome == DeliveryOutcome.Retry) >= 2, "failed attempts while down");
        subscriber.Received("/t").Should().BeEmpty();

        await subscriber.StartAgainAsync();
        await Sim.Until(() => sim.Deliveries.Any(d => d.Outcome == DeliveryOutcome.Success), "delivery after restart");
        subscriber.Received("/t").Should().ContainSingle();
        sim.Deliveries.Single(d => d.Outcome == DeliveryOutcome.Success).Attempt.Should().BeGreaterThan(2);
    }

    [Fact]
    public async Task Messages_published_before_the_subscriber_came_up_are_delivered_once_it_subscribes()
    {
        var subscriber = TestApp.NotStarted(TestApp.Subscribing(Subscribe, (app, _) => app.MapPost("/t", () => Results.Ok())));
        await using var publisher = await TestApp.StartAsync((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()), Sim.App("lifecycle", publisher.Port), Sim.App("logging", subscriber.Port)));
        using var client = Sim.Client(sim.Sidecar("lifecycle"));
        await client.PublishEventAsync("pubsub", "t", new { n = 1 });
        await client.PublishEventAsync("pubsub", "t", new { n = 2 });

        await using (subscriber)
        {
            await subscriber.StartAgainAsync();
            await Sim.Until(() => subscriber.Received("/t").Count == 2, "backlog delivered");
        }
    }

    [Fact]
    public async Task A_dropped_message_goes_to_the_dead_letter_topic()
    {
        const string subscriptions = """
            [{"pubsubname":"pubsub","topic":"t","route":"/t","deadLetterTopic":"t-dlq"},
             {"pubsubname":"pubsub","topic":"t-dlq","route":"/dlq"}]
            """;
        await using var subscriber = await TestApp.StartAsync(TestApp.Subscribing(subscriptions, (app, _) =>
        {
            app.MapPost("/t", () => Results.Json(new { status = "DROP" }));
            app.MapPost("/dlq", () => Results.Ok());
        }));
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()), Sim.App("logging", subscriber.Port)));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        using var client = Sim.Client(sim.Sidecar("logging"));

        await client.PublishEventAsync("pubsub", "t", new { n = 7 });

        await Sim.Until(() => sim.Deliveries.Any(d => d.Topic == "t-dlq" && d.Outcome == DeliveryOutcome.Success), "dead-lettered delivery");
        var original = subscriber.Received("/t").Single().Body;
        subscriber.Received("/dlq")[0].Body.Should().Be(original, "the original envelope is forwarded as it was");
        sim.Deliveries.Select(d => d.Outcome).Should().Contain([DeliveryOutcome.Drop, DeliveryOutcome.DeadLettered, DeliveryOutcome.Success]);
    }

    [Fact]
    public async Task A_failing_message_goes_to_the_dead_letter_topic_once_the_inbound_retry_policy_is_exhausted()
    {
        const string resiliency = """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata: { name: r }
            spec:
              policies:
                retries:
                  deliveryRetry: { policy: exponential, maxInterval: 60s, maxRetries: 2 }
              targets:
                components:
                  pubsub: { inbound: { retry: deliveryRetry } }
            """;
        const string subscriptions = """
            [{"pubsubname":"pubsub","topic":"t","route":"/t","deadLetterTopic":"t-dlq"},
             {"pubsubname":"pubsub","topic":"t-dlq","route":"/dlq"}]
            """;
        await using var subscriber = await TestApp.StartAsync(TestApp.Subscribing(subscriptions, (app, _) =>
        {
            app.MapPost("/t", () => Results.StatusCode(500));
            app.MapPost("/dlq", () => Results.Ok());
        }));
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub(), resiliency), Sim.App("logging", subscriber.Port)));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        using var client = Sim.Client(sim.Sidecar("logging"));

        await client.PublishEventAsync("pubsub", "t", new { n = 1 });

        await Sim.Until(() => subscriber.Received("/dlq").Count == 1, "dead-lettered after retries");
        subscriber.Received("/t").Should().HaveCount(3, "one attempt plus maxRetries 2");
    }

    [Fact]
    public async Task Replicas_of_one_app_compete_by_default_and_each_replica_gets_every_message_with_a_pod_name_consumer_id()
    {
        await using var a = await TestApp.StartAsync(TestApp.Subscribing(Subscribe, (app, _) => app.MapPost("/t", () => Results.Ok())));
        await using var b = await TestApp.StartAsync(TestApp.Subscribing(Subscribe, (app, _) => app.MapPost("/t", () => Results.Ok())));
        const int count = 6;

        await using (var competing = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()), Sim.App("api", a.Port, 0), Sim.App("api", b.Port, 1))))
        {
            await Sim.ReadyAsync(competing.Sidecar("api", 0));
            await Sim.ReadyAsync(competing.Sidecar("api", 1));
            using var client = Sim.Client(competing.Sidecar("api", 0));
            for (var i = 0; i < count; i++)
            {
                await client.PublishEventAsync("pubsub", "t", new { i });
            }

            await Sim.Until(() => a.Received("/t").Count + b.Received("/t").Count == count, "every message once");
            await Task.Delay(300);
            (a.Received("/t").Count + b.Received("/t").Count).Should().Be(count);
            competing.ConsumerGroups("pubsub", "t").Should().Equal("api");
        }

        a.Requests.Clear();
        b.Requests.Clear();
        var fanOut = Sim.PubSub("    - { name: consumerID, value: \"{podName}\" }");
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(fanOut), Sim.App("api", a.Port, 0), Sim.App("api", b.Port, 1)));
        await Sim.ReadyAsync(sim.Sidecar("api", 0));
        await Sim.ReadyAsync(sim.Sidecar("api", 1));
        using var fanClient = Sim.Client(sim.Sidecar("api", 1));
        for (var i = 0; i < count; i++)
        {
            await fanClient.PublishEventAsync("pubsub", "t", new { i });
        }

        await Sim.Until(() => a.Received("/t").Count == count && b.Received("/t").Count == count, "every message on each replica");
        sim.ConsumerGroups("pubsub", "t").Should().BeEquivalentTo(["api-0", "api-1"]);
    }

    [Fact]
    public async Task Two_components_on_one_redis_share_their_streams_so_a_per_replica_component_sees_what_the_default_one_publishes()
    {
        const string subscribeReplicas = """[{"pubsubname":"pubsub-replicas","topic":"t","route":"/t"}]""";
        await using var a = await TestApp.StartAsync(TestApp.Subscribing(subscribeReplicas, (app, _) => app.MapPost("/t", () => Results.Ok())));
        await using var b = await TestApp.StartAsync(TestApp.Subscribing(subscribeReplicas, (app, _) => app.MapPost("/t", () => Results.Ok())));
        await using var publisher = await TestApp.StartAsync((_, _) => { });
        var replicas = Sim.PubSub("    - { name: consumerID, value: \"{podName}\" }", name: "pubsub-replicas");
        var elsewhere = Sim.PubSub(name: "pubsub-elsewhere").Replace("localhost:6379", "other:6379", StringComparison.Ordinal);
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(
            Sim.Resources(Sim.PubSub(), replicas, elsewhere), Sim.App("lifecycle", publisher.Port), Sim.App("api", a.Port, 0), Sim.App("api", b.Port, 1)));
        await Sim.ReadyAsync(sim.Sidecar("api", 0));
        await Sim.ReadyAsync(sim.Sidecar("api", 1));
        using var client = Sim.Client(sim.Sidecar("lifecycle"));

        await client.PublishEventAsync("pubsub", "t", new { n = 1 });
        await client.PublishEventAsync("pubsub-elsewhere", "t", new { n = 2 });

        await Sim.Until(() => a.Received("/t").Count == 1 && b.Received("/t").Count == 1, "the message on each replica");
        sim.ConsumerGroups("pubsub-elsewhere", "t").Should().BeEmpty("a component on another Redis is another broker: nobody reads its stream");
        sim.ConsumerGroups("pubsub-replicas", "t").Should().BeEquivalentTo(["api-0", "api-1"]);
    }
}
