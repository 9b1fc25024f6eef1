using System.Text.Json;

namespace Flame.Po.Dapr.PubSub;

/// <summary>
/// What a subscriber answers for one message, mirroring Dapr's app reply (the Dapr docs, "Publish and subscribe",
/// subscriber responses): SUCCESS acknowledges, RETRY asks for redelivery, DROP discards a poison message.
/// </summary>
public enum EventOutcome
{
    Success,
    Retry,
    Drop,
}

/// <summary>
/// Handles the messages of one subscription (mapped with <see cref="SubscriptionEndpoints.MapSubscription{TSubscriber}"/>).
/// It receives the CloudEvent's <c>data</c>; throwing counts as <see cref="EventOutcome.Retry"/>, unreadable data
/// (<see cref="JsonException"/>) as <see cref="EventOutcome.Drop"/>.
/// </summary>
public interface ISubscriber
{
    Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken);
}
