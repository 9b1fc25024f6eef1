namespace Flame.DaprSim.PubSub;

/// <summary>A message as the broker stores it: the published bytes (a CloudEvent unless raw) and where it came from.</summary>
public sealed record BrokerMessage(string Topic, string MessageId, byte[] Data, string ContentType, bool Raw, string PublisherAppId, int PublisherReplica);
