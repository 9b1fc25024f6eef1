using System.Text;

using Flame.DaprSim.Inspection;
using Flame.DaprSim.Sidecars;

using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// A consumer group on one topic: its members are the sidecars subscribed with that consumer ID. Each message is handed to
/// one member at a time (round-robin, preferring members whose app is reachable) until a reply acknowledges or drops it;
/// failures are retried with exponential back-off for as long as the simulator runs (at-least-once). A subscription with a
/// dead-letter topic gets dropped messages, and failing ones once the inbound retry policy is exhausted, forwarded there
/// (daprd: pkg/runtime/subscription/subscription.go).
/// </summary>
public sealed class ConsumerGroup
{
    private readonly List<GroupMember> _members = [];
    private readonly Lock _lock = new();
    private readonly PubSubBroker _broker;
    private readonly SimRuntime _runtime;

    public ConsumerGroup(PubSubBroker broker, string topic, string consumerId, SimRuntime runtime)
    {
        _broker = broker;
        Topic = topic;
        ConsumerId = consumerId;
        _runtime = runtime;
    }

    public string Topic { get; }

    public string ConsumerId { get; }

    public void AddMember(GroupMember member)
    {
        lock (_lock)
        {
            _members.Add(member);
        }
    }

    public void Enqueue(BrokerMessage message) => _runtime.Run(ct => DeliverAsync(message, ct));

    private GroupMember? Pick()
    {
        List<GroupMember> members;
        lock (_lock)
        {
            members = [.. _members];
        }

        return _runtime.PickRoundRobin($"group|{_broker.Name}|{Topic}|{ConsumerId}", members, m => m.Sidecar.AppChannel.Reachable);
    }

    private async Task DeliverAsync(BrokerMessage message, CancellationToken ct)
    {
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            var member = Pick();
            if (member is null)
            {
                await Task.Delay(50, ct);
                continue;
            }

            attempt++;
            var result = await SubscriberDelivery.DeliverAsync(member, _broker.Name, message, ct);
            Record(member, message, result.Route, attempt, result.Outcome, result.StatusCode);
            var deadLetter = member.Subscription.DeadLetterTopic;
            switch (result.Outcome)
            {
                case DeliveryOutcome.Success:
                    return;
                case DeliveryOutcome.Drop:
                    if (deadLetter is not null)
                    {
                        ForwardToDeadLetter(member, message, deadLetter, attempt);
                    }

                    return;
                default:
                    if (deadLetter is not null && attempt >= member.Sidecar.DeadLetterAfterAttempts(_broker.Name))
                    {
                        ForwardToDeadLetter(member, message, deadLetter, attempt);
                        return;
                    }

                    await Task.Delay(Backoff(attempt), ct);
                    break;
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var options = _runtime.Options;
        var delay = options.RedeliveryDelay * Math.Pow(2, Math.Min(attempt - 1, 20));
        return delay < options.RedeliveryMaxDelay ? delay : options.RedeliveryMaxDelay;
    }

    /// <summary>The original message goes to the dead-letter topic of the same pub/sub as it was (daprd: <c>sendToDeadLetter</c>).</summary>
    private void ForwardToDeadLetter(GroupMember member, BrokerMessage message, string deadLetterTopic, int attempt)
    {
        _runtime.Logger.LogWarning("pubsub {pubsub}: message {id} of topic {topic} forwarded to dead-letter topic {dlq}", _broker.Name, message.MessageId, Topic, deadLetterTopic);
        Record(member, message, null, attempt, DeliveryOutcome.DeadLettered, null);
        _broker.Publish(message with { Topic = deadLetterTopic, PublisherAppId = member.Sidecar.AppId, PublisherReplica = member.Sidecar.Replica });
    }

    private void Record(GroupMember member, BrokerMessage message, string? route, int attempt, DeliveryOutcome outcome, int? status)
    {
        _runtime.Recorder.Add(new DeliveryRecord(_broker.Name, Topic, ConsumerId, member.Sidecar.AppId, member.Sidecar.Replica, message.MessageId, route, attempt, outcome, status, Encoding.UTF8.GetString(message.Data), DateTimeOffset.UtcNow));
        _runtime.Logger.LogInformation("pubsub {pubsub}: message {id} of topic {topic} to {app_id}/{replica} {route}: attempt {attempt} {outcome} ({status})", _broker.Name, message.MessageId, Topic, member.Sidecar.AppId, member.Sidecar.Replica, route, attempt, outcome, status);
    }
}

/// <summary>A sidecar in a consumer group, with the subscription it joined with.</summary>
public sealed record GroupMember(Sidecar Sidecar, SubscriptionSpec Subscription);
