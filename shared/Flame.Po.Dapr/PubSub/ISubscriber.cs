namespace Flame.Po.Dapr.PubSub;

/// <summary>
/// What a subscriber answers for one message, mirroring Dapr's app reply (reference/dapr.md §2.4):
/// SUCCESS acknowledges, RETRY asks for redelivery, DROP discards (a poison message).
/// </summary>
public enum EventOutcome
{
    Success,
    Retry,
    Drop,
}

/// <summary>Handles the messages of one subscription. Throwing counts as <see cref="EventOutcome.Retry"/>.</summary>
public interface ISubscriber
{
    Task<EventOutcome> HandleAsync(CloudEvent message, CancellationToken cancellationToken);
}
