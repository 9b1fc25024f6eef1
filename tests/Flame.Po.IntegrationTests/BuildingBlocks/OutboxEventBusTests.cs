using System.Collections.Concurrent;
using System.Text.Json;
using Flame.Po.Core;
using Flame.Po.Dapr.Faults;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.BuildingBlocks;

/// <summary>
/// The embedded pub/sub of <c>--target all</c>: messages are stored in <c>event_outbox</c> before the publisher goes
/// on and delivered to the host's subscription routes at least once — also when the host dies between publishing
/// and delivering (the gap the in-memory bus had) — with the redelivery, drop and give-up rules of Dapr.
/// </summary>
public sealed class OutboxEventBusTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private sealed record Ping(string Name);

    /// <summary>What each subscriber route answers, in order (null throws), and what it received.</summary>
    public sealed class Script
    {
        public ConcurrentQueue<EventOutcome?> Outcomes { get; } = new();

        public ConcurrentQueue<(string Route, string Name)> Received { get; } = new();

        public Task<EventOutcome> Next(string route, JsonElement data)
        {
            Received.Enqueue((route, data.GetProperty("name").GetString()!));
            var outcome = Outcomes.TryDequeue(out var next) ? next : EventOutcome.Success;
            return outcome is { } value ? Task.FromResult(value) : throw new InvalidOperationException("subscriber failure");
        }
    }

    public sealed class FirstSubscriber(Script script) : ISubscriber
    {
        public Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken) => script.Next("/first", data);
    }

    public sealed class SecondSubscriber(Script script) : ISubscriber
    {
        public Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken) => script.Next("/second", data);
    }

    public sealed class OtherTopicSubscriber(Script script) : ISubscriber
    {
        public Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken) => script.Next("/other", data);
    }

    [Fact]
    public async Task A_message_is_stored_then_delivered_once_on_success_and_forgotten()
    {
        var script = new Script();
        await using var host = await StartAsync(script);

        await PublishAsync(host, "one", "t", "t2", "u2");

        await Wait.UntilAsync(() => script.Received.Count >= 2, TimeSpan.FromSeconds(30), poll: TimeSpan.FromMilliseconds(50));
        await WaitForEmptyOutboxAsync();
        script.Received.Should().BeEquivalentTo([("/first", "one"), ("/second", "one")], "each subscription of the topic gets the message once");
    }

    [Fact]
    public async Task Retry_and_a_failing_subscriber_are_redelivered_until_success_and_other_topics_get_nothing()
    {
        var script = new Script();
        script.Outcomes.Enqueue(EventOutcome.Retry);
        script.Outcomes.Enqueue(null);
        await using var host = await StartAsync(script, second: false);

        await PublishAsync(host, "again", "t");

        await WaitForEmptyOutboxAsync();
        script.Received.Should().Equal(("/first", "again"), ("/first", "again"), ("/first", "again"));
    }

    [Fact]
    public async Task Drop_stops_redelivery_for_that_subscription_only()
    {
        var script = new Script();
        script.Outcomes.Enqueue(EventOutcome.Drop);
        await using var host = await StartAsync(script);

        await PublishAsync(host, "poison", "t", "t2");

        await WaitForEmptyOutboxAsync();
        script.Received.Should().HaveCount(2, "the dropping subscription is not asked again, the other one got it once");
    }

    [Fact]
    public async Task A_subscriber_that_never_succeeds_is_given_up_after_the_attempt_budget()
    {
        var script = new Script();
        for (var i = 0; i < 10; i++)
        {
            script.Outcomes.Enqueue(EventOutcome.Retry);
        }

        await using var host = await StartAsync(script, second: false, maxAttempts: 3);

        await PublishAsync(host, "hopeless", "t");

        await WaitForEmptyOutboxAsync();
        script.Received.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_message_whose_first_delivery_failed_outlives_the_host_and_is_delivered_once_by_the_next()
    {
        var first = new Script();
        for (var i = 0; i < 100; i++)
        {
            first.Outcomes.Enqueue(EventOutcome.Retry);
        }

        await using (var host = await StartAsync(first, second: false))
        {
            await PublishAsync(host, "durable", "t");
            await Wait.UntilAsync(() => !first.Received.IsEmpty, TimeSpan.FromSeconds(30), poll: TimeSpan.FromMilliseconds(50));
        }

        (await _db.CountAsync("SELECT count(*) FROM event_outbox")).Should().Be(1, "the host stopped before any subscriber took the message");
        var next = new Script();
        await using var successor = await StartAsync(next, second: false);

        await WaitForEmptyOutboxAsync();
        next.Received.Should().Equal(("/first", "durable"));
    }

    /// <summary>
    /// A real process killed after it took a stored message and before it delivered it (fault point
    /// <see cref="FaultPoints.BeforeEventDelivery"/>): its transaction dies with it, and the next process delivers the
    /// message to the logging service exactly once.
    /// </summary>
    [Fact]
    public async Task A_host_killed_before_delivering_loses_nothing()
    {
        var analysisId = Guid.NewGuid().ToString();
        await using (var setup = await RunningHost.StartAsync(HostTarget.All, Settings()))
        {
            // Only to create the schema.
            (await setup.Services.GetRequiredService<Flame.Po.Persistence.DatabaseStatus>().WaitForMigrationAsync(TimeSpan.FromSeconds(60), CancellationToken.None))
                .Should().BeTrue();
        }

        // A message as the lifecycle publishes it, stored and not yet delivered.
        var message = CloudEvent.Create(AppIds.Lifecycle, Topics.PubSubName, Topics.AnalysisEvents, new Dictionary<string, object?>
        {
            ["event_id"] = $"{analysisId}:1",
            ["analysis_id"] = analysisId,
            ["sequence"] = 1,
            ["deployment_name"] = $"analysis-{analysisId}-1",
            ["from"] = null,
            ["to"] = "starting",
            ["reason"] = "created",
            ["restart_counter"] = 1,
            ["progress"] = 0,
            ["time"] = DateTimeOffset.UtcNow,
            ["deleted"] = false,
        }, DateTimeOffset.UtcNow);
        await _db.ExecuteAsync(
            "INSERT INTO event_outbox (message_id, topic, message) VALUES ($1, $2, $3::jsonb)", message.Id, Topics.AnalysisEvents, JsonSerializer.Serialize(message));

        await using (var killed = HostProcess.Start(["--target", "all", "--urls", "http://127.0.0.1:0"], Environment(FaultPoints.BeforeEventDelivery)))
        {
            (await killed.WaitForExitAsync(TimeSpan.FromSeconds(60))).Should().Be(137, $"the host must die before delivering; output:\n{killed.Output}");
        }

        (await _db.CountAsync("SELECT count(*) FROM event_outbox")).Should().Be(1, "the killed host's claim died with its transaction");
        (await _db.CountAsync($"SELECT count(*) FROM log_stream WHERE analysis_id = '{analysisId}'")).Should().Be(0);

        await using var recovery = HostProcess.Start(["--target", "all", "--urls", "http://127.0.0.1:0"], Environment(null));
        await WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(60));
        (await _db.CountAsync($"SELECT event_sequence FROM log_stream WHERE analysis_id = '{analysisId}'")).Should().Be(1, "the event was applied after the restart");
        (await _db.CountAsync($"SELECT count(*) FROM log_line WHERE analysis_id = '{analysisId}' AND source = 'po'"))
            .Should().BeLessThanOrEqualTo(1, "a redelivery never adds the PO's line twice");
        await recovery.StopAsync();
    }

    private Dictionary<string, string?> Settings(int maxAttempts = 20) => new(_db.EnvironmentValues())
    {
        ["PUBSUB_MAX_ATTEMPTS"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RECONCILER_ENABLED"] = "false",
    };

    private Dictionary<string, string?> Environment(string? faultPoint) => new(Settings())
    {
        [FaultPoints.Variable] = faultPoint,
        ["LOG_LEVEL"] = "warning",
    };

    private async Task<RunningHost> StartAsync(Script script, bool second = true, int maxAttempts = 20)
    {
        var host = await StartHostAsync(script, second, maxAttempts);
        await host.Services.GetRequiredService<Flame.Po.Persistence.DatabaseStatus>().WaitForMigrationAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        return host;
    }

    private Task<RunningHost> StartHostAsync(Script script, bool second, int maxAttempts) =>
        RunningHost.StartAsync(
            HostTarget.All,
            Settings(maxAttempts),
            builder =>
            {
                builder.Services.AddSingleton(script);
                builder.Services.AddScoped<FirstSubscriber>();
                builder.Services.AddScoped<SecondSubscriber>();
                builder.Services.AddScoped<OtherTopicSubscriber>();
            },
            app =>
            {
                app.MapSubscription<FirstSubscriber>(Topics.PubSubName, "t", "/first");
                if (second)
                {
                    app.MapSubscription<SecondSubscriber>(Topics.PubSubName, "t2", "/second");
                }

                app.MapSubscription<OtherTopicSubscriber>(Topics.PubSubName, "u", "/other");
            });

    /// <summary>
    /// Publishes to <paramref name="topics"/>. The SDK announces one default route per topic and app, as Dapr allows,
    /// so the second subscription listens on its own topic, t2.
    /// </summary>
    private static async Task PublishAsync(RunningHost host, string name, params string[] topics)
    {
        foreach (var topic in topics)
        {
            await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(topic, new Ping(name), CancellationToken.None);
        }
    }

    /// <summary>
    /// Waits until every stored message is gone. A message leaves the outbox only after its deliveries returned, so
    /// nothing is delivered after this.
    /// </summary>
    private Task WaitForEmptyOutboxAsync(TimeSpan? timeout = null) =>
        Wait.UntilAsync(async () => await _db.CountAsync("SELECT count(*) FROM event_outbox") == 0, timeout ?? TimeSpan.FromSeconds(30), "the outbox must drain");
}
