namespace Flame.Po.Dapr.PubSub;

/// <summary>The message was not accepted by the broker; the caller may retry later.</summary>
public sealed class EventPublishException(string message, Exception? inner = null) : Exception(message, inner);
