namespace Flame.Po.Dapr.PubSub;

/// <summary>Publishes a message to a topic of the <c>pubsub</c> component; delivery is at-least-once.</summary>
public interface IEventPublisher
{
    Task PublishAsync<T>(string topic, T data, CancellationToken cancellationToken);
}
