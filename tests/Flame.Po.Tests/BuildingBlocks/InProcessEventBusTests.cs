using System.Collections.Concurrent;
using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.PubSub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flame.Po.Tests.BuildingBlocks;

public sealed class InProcessEventBusTests
{
    private sealed record Transition(string AnalysisId, string To);

    /// <summary>Answers with a scripted sequence of outcomes (or throws for null) and records every delivery.</summary>
    private sealed class ScriptedSubscriber(Script script) : ISubscriber
    {
        public Task<EventOutcome> HandleAsync(CloudEvent message, CancellationToken cancellationToken) => script.NextAsync(message);
    }

    private sealed class SecondSubscriber(Script script) : ISubscriber
    {
        public Task<EventOutcome> HandleAsync(CloudEvent message, CancellationToken cancellationToken) => script.NextAsync(message, "second");
    }

    /// <summary>Takes a while to apply a message, like a handler that writes to the database.</summary>
    private sealed class SlowSubscriber(Script script) : ISubscriber
    {
        public async Task<EventOutcome> HandleAsync(CloudEvent message, CancellationToken cancellationToken)
        {
            await Task.Delay(200, cancellationToken);
            return await script.NextAsync(message, "slow");
        }
    }

    private sealed class Script
    {
        private readonly ConcurrentQueue<EventOutcome?> _outcomes;

        public Script(params EventOutcome?[] outcomes) => _outcomes = new(outcomes);

        public ConcurrentQueue<(string Who, CloudEvent Message)> Deliveries { get; } = new();

        public TaskCompletionSource Settled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<EventOutcome> NextAsync(CloudEvent message, string who = "first")
        {
            Deliveries.Enqueue((who, message));
            var outcome = _outcomes.TryDequeue(out var next) ? next : EventOutcome.Success;
            if (outcome is null)
            {
                throw new InvalidOperationException("handler failure");
            }

            if (outcome != EventOutcome.Retry && _outcomes.IsEmpty)
            {
                Settled.TrySetResult();
            }

            return Task.FromResult(outcome.Value);
        }
    }

    [Fact]
    public async Task Delivers_a_cloud_event_envelope_once_on_success()
    {
        var script = new Script(EventOutcome.Success);
        await using var bus = await StartAsync(script);

        await bus.Bus.PublishAsync(Topics.AnalysisEvents, new Transition("a1", "started"), CancellationToken.None);
        await script.Settled.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var delivery = script.Deliveries.Should().ContainSingle().Subject.Message;
        delivery.Topic.Should().Be("analysis-events");
        delivery.PubSubName.Should().Be("pubsub");
        delivery.Source.Should().Be("lifecycle");
        delivery.Type.Should().Be("com.dapr.event.sent");
        delivery.SpecVersion.Should().Be("1.0");
        delivery.DataContentType.Should().Be("application/json");
        Guid.TryParse(delivery.Id, out _).Should().BeTrue();
        delivery.GetData<Transition>().Should().Be(new Transition("a1", "started"));
        delivery.Data.GetProperty("analysis_id").GetString().Should().Be("a1");
    }

    [Fact]
    public async Task Retries_on_retry_and_on_exceptions_until_success()
    {
        var script = new Script(EventOutcome.Retry, null, EventOutcome.Retry, EventOutcome.Success);
        await using var bus = await StartAsync(script);

        await bus.Bus.PublishAsync("t", new Transition("a1", "x"), CancellationToken.None);
        await script.Settled.Task.WaitAsync(TimeSpan.FromSeconds(10));

        script.Deliveries.Should().HaveCount(4);
        script.Deliveries.Select(d => d.Message.Id).Distinct().Should().ContainSingle("a redelivery is the same message");
    }

    [Fact]
    public async Task Drop_stops_redelivery()
    {
        var script = new Script(EventOutcome.Drop);
        await using var bus = await StartAsync(script);

        await bus.Bus.PublishAsync("t", new Transition("a1", "x"), CancellationToken.None);
        await script.Settled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await bus.Bus.StopAsync(CancellationToken.None);

        script.Deliveries.Should().ContainSingle();
    }

    [Fact]
    public async Task Gives_up_after_the_attempt_budget()
    {
        var script = new Script(Enumerable.Repeat<EventOutcome?>(EventOutcome.Retry, 10).ToArray());
        await using var bus = await StartAsync(script, maxAttempts: 3);

        await bus.Bus.PublishAsync("t", new Transition("a1", "x"), CancellationToken.None);
        await WaitUntilAsync(() => script.Deliveries.Count >= 3);
        await bus.Bus.StopAsync(CancellationToken.None);

        script.Deliveries.Should().HaveCount(3);
    }

    [Fact]
    public async Task Every_subscription_of_the_topic_gets_the_message_and_other_topics_none()
    {
        var script = new Script();
        await using var bus = await StartAsync(script, second: true);

        await bus.Bus.PublishAsync("t", new Transition("a1", "x"), CancellationToken.None);
        await bus.Bus.PublishAsync("other-topic", new Transition("a2", "x"), CancellationToken.None);
        await WaitUntilAsync(() => script.Deliveries.Count >= 2);
        await bus.Bus.StopAsync(CancellationToken.None);

        script.Deliveries.Select(d => d.Who).Should().BeEquivalentTo(["first", "second"]);
        script.Deliveries.Should().OnlyContain(d => d.Message.Topic == "t");
    }

    /// <summary>
    /// The lifecycle clears its event outbox once PublishAsync returns: if the message were only queued in memory by
    /// then, a process killed right after would lose it (a terminal status then never reached the Hub; found by the
    /// chaos suite, issue 9 §2). So the first delivery is made before PublishAsync returns.
    /// </summary>
    [Fact]
    public async Task A_message_is_applied_by_its_handlers_before_publish_returns()
    {
        var script = new Script(EventOutcome.Success);
        await using var bus = await StartAsync(script, slow: true);

        await bus.Bus.PublishAsync("slow", new Transition("a1", "failed"), CancellationToken.None);

        script.Deliveries.Should().ContainSingle().Which.Who.Should().Be("slow");
    }

    [Fact]
    public async Task Publishing_after_shutdown_is_refused()
    {
        await using var bus = await StartAsync(new Script());
        await bus.Bus.StopAsync(CancellationToken.None);

        var act = () => bus.Bus.PublishAsync("t", 1, CancellationToken.None);

        await act.Should().ThrowAsync<InvalidOperationException>();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private sealed class RunningBus(InProcessEventBus bus, ServiceProvider provider) : IAsyncDisposable
    {
        public InProcessEventBus Bus => bus;

        public async ValueTask DisposeAsync()
        {
            await bus.StopAsync(CancellationToken.None);
            await provider.DisposeAsync();
        }
    }

    private static async Task<RunningBus> StartAsync(Script script, int maxAttempts = 20, bool second = false, bool slow = false)
    {
        var services = new ServiceCollection();
        services.AddSingleton(script);
        services.AddEventSubscription<ScriptedSubscriber>(Topics.PubSubName, "t", "/t");
        services.AddEventSubscription<ScriptedSubscriber>(Topics.PubSubName, Topics.AnalysisEvents, "/events");
        if (second)
        {
            services.AddEventSubscription<SecondSubscriber>(Topics.PubSubName, "t", "/t2");
        }

        if (slow)
        {
            services.AddEventSubscription<SlowSubscriber>(Topics.PubSubName, "slow", "/slow");
        }

        services.AddSingleton(TimeProvider.System);
        services.Configure<BuildingBlockSettings>(s => s.AppId = AppIds.Lifecycle);
        services.Configure<EventBusSettings>(s =>
        {
            s.MaxAttempts = maxAttempts;
            s.InitialBackoff = TimeSpan.FromMilliseconds(1);
            s.MaxBackoff = TimeSpan.FromMilliseconds(5);
        });
        services.AddSingleton<InProcessEventBus>();
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<InProcessEventBus>();
        await bus.StartAsync(CancellationToken.None);
        return new RunningBus(bus, provider);
    }
}
