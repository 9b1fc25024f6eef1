using System.Collections.Concurrent;
using System.Threading.Channels;
using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// The embedded pub/sub: messages are wrapped in the same CloudEvent envelope Dapr uses and handed to every
/// subscription of the topic. The first delivery happens before <see cref="PublishAsync{T}"/> returns, so a publisher
/// that clears its outbox afterwards (the lifecycle's event outbox, the report publisher) never loses a message that a
/// handler applied, even if the process is killed right after: in memory nothing is durable, only the handler's
/// effect is. A delivery that fails (RETRY or an exception) is retried in the background with exponential backoff
/// until the handler answers SUCCESS or DROP (or the attempt budget runs out, which is logged as an error) —
/// at-least-once for as long as the process lives, with no ordering guarantee, like Dapr. Durable hand-offs (the Hub
/// outbox) keep their own tables; this bus is for notifications.
/// </summary>
public sealed class InProcessEventBus(
    IEnumerable<EventSubscription> subscriptions,
    IServiceScopeFactory scopes,
    IOptions<BuildingBlockSettings> identity,
    IOptions<EventBusSettings> settings,
    TimeProvider time,
    ILogger<InProcessEventBus> logger) : BackgroundService, IEventPublisher
{
    private readonly Channel<(CloudEvent Message, EventSubscription Subscription)> _retries =
        Channel.CreateUnbounded<(CloudEvent, EventSubscription)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILookup<string, EventSubscription> _byTopic = subscriptions.ToLookup(s => s.Topic, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private volatile bool _stopping;

    public async Task PublishAsync<T>(string topic, T data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_stopping)
        {
            throw new InvalidOperationException($"The event bus is shutting down; message for topic '{topic}' was not accepted.");
        }

        var message = CloudEvent.Create(identity.Value.AppId, Topics.PubSubName, topic, data, time.GetUtcNow());
        foreach (var subscription in _byTopic[message.Topic])
        {
            var outcome = await HandleOnceAsync(subscription, message, cancellationToken);
            if (outcome == EventOutcome.Drop)
            {
                LogDropped(subscription, message);
            }
            else if (outcome == EventOutcome.Retry && !_retries.Writer.TryWrite((message, subscription)))
            {
                throw new InvalidOperationException($"The event bus is shutting down; message for topic '{topic}' was not accepted.");
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (message, subscription) in _retries.Reader.ReadAllAsync(stoppingToken))
        {
            var delivery = DeliverAsync(subscription, message, stoppingToken);
            _inFlight[delivery] = true;
            _ = delivery.ContinueWith(t => _inFlight.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _retries.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_inFlight.Keys).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task DeliverAsync(EventSubscription subscription, CloudEvent message, CancellationToken stoppingToken)
    {
        // Attempt 1 was made by PublishAsync; back off before each further one.
        var policy = settings.Value;
        var backoff = policy.InitialBackoff;
        for (var attempt = 2; attempt <= policy.MaxAttempts && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(backoff, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, policy.MaxBackoff.Ticks));
            var outcome = await HandleOnceAsync(subscription, message, stoppingToken);
            if (outcome == EventOutcome.Success)
            {
                return;
            }

            if (outcome == EventOutcome.Drop)
            {
                LogDropped(subscription, message);
                return;
            }
        }

        logger.LogError("Message {message_id} on topic {topic} not delivered to {handler} after {attempts} attempts",
            message.Id, message.Topic, subscription.HandlerType.Name, policy.MaxAttempts);
    }

    private void LogDropped(EventSubscription subscription, CloudEvent message) =>
        logger.LogWarning("Message {message_id} on topic {topic} dropped by {handler}", message.Id, message.Topic, subscription.HandlerType.Name);

    private async Task<EventOutcome> HandleOnceAsync(EventSubscription subscription, CloudEvent message, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = (ISubscriber)scope.ServiceProvider.GetRequiredService(subscription.HandlerType);
            return await handler.HandleAsync(message, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Handler {handler} failed for message {message_id} on topic {topic}; will retry",
                subscription.HandlerType.Name, message.Id, message.Topic);
            return EventOutcome.Retry;
        }
    }
}
