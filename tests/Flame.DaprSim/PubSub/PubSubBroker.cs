using System.Text;

using Flame.DaprSim.Inspection;
using Flame.DaprSim.Resources;
using Flame.DaprSim.Sidecars;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// One pub/sub component, in memory, shared by the sidecars that load it; it behaves as Redis Streams consumer groups
/// (components-contrib pubsub/redis): each topic keeps its messages, every consumer group gets each message once (one of
/// its members handles it, redelivering until acknowledged), and a group created later starts at the beginning of the
/// topic (<c>XGROUP CREATE … 0</c>), so messages published before a subscriber came up are not lost. Components of the
/// same type that point at the same server (<see cref="BackendKey"/>) share their topics, as two Redis components with
/// one <c>redisHost</c> share streams: a message published on one reaches the consumer groups of the other (the
/// per-replica fan-out pattern, one component with <c>consumerID: "{podName}"</c> beside the default one).
/// </summary>
public sealed class PubSubBroker
{
    private readonly Dictionary<string, TopicState> _topics;
    private readonly Lock _lock;
    private readonly SimRuntime _runtime;

    public PubSubBroker(ComponentSpec component, SimRuntime runtime, PubSubBroker? sameBackend = null)
    {
        Component = component;
        _runtime = runtime;
        _topics = sameBackend?._topics ?? new(StringComparer.Ordinal);
        _lock = sameBackend?._lock ?? new();
    }

    /// <summary>
    /// What identifies the server behind a component: its type and the metadata naming the server (host, URL, brokers,
    /// connection string). A component without such metadata has a server of its own.
    /// </summary>
    public static string BackendKey(ComponentSpec component)
    {
        ArgumentNullException.ThrowIfNull(component);
        string[] serverWords = ["host", "url", "broker", "connection", "endpoint", "namespace"];
        var server = component.Metadata
            .Where(m => serverWords.Any(w => m.Key.Contains(w, StringComparison.OrdinalIgnoreCase)) && m.Value.Length > 0)
            .OrderBy(m => m.Key, StringComparer.OrdinalIgnoreCase)
            .Select(m => $"{m.Key.ToLowerInvariant()}={m.Value}")
            .ToList();
        return server.Count == 0 ? $"{component.Type}#{component.Name}" : $"{component.Type}|{string.Join('|', server)}";
    }

    public ComponentSpec Component { get; }

    public string Name => Component.Name;

    public void Publish(BrokerMessage message)
    {
        List<ConsumerGroup> groups;
        lock (_lock)
        {
            var topic = Topic(message.Topic);
            topic.Log.Add(message);
            groups = [.. topic.Groups.Values];
        }

        _runtime.Recorder.Add(new PublishedMessage(Name, message.Topic, message.MessageId, message.PublisherAppId, message.PublisherReplica, message.ContentType, Encoding.UTF8.GetString(message.Data), DateTimeOffset.UtcNow));
        foreach (var group in groups)
        {
            group.Enqueue(message);
        }
    }

    /// <summary>Adds a sidecar to its consumer group on a topic, creating the group (and handing it the backlog) if new.</summary>
    public void Subscribe(Sidecar sidecar, SubscriptionSpec subscription, string consumerId)
    {
        List<BrokerMessage> backlog = [];
        ConsumerGroup? group;
        lock (_lock)
        {
            var topic = Topic(subscription.Topic);
            if (!topic.Groups.TryGetValue(consumerId, out group))
            {
                group = new ConsumerGroup(this, subscription.Topic, consumerId, _runtime);
                topic.Groups[consumerId] = group;
                backlog = [.. topic.Log];
            }

            group.AddMember(new GroupMember(sidecar, subscription));
        }

        foreach (var message in backlog)
        {
            group.Enqueue(message);
        }
    }

    /// <summary>The consumer groups of a topic, for inspection.</summary>
    public IReadOnlyList<string> Groups(string topic)
    {
        lock (_lock)
        {
            return _topics.TryGetValue(topic, out var state) ? [.. state.Groups.Keys] : [];
        }
    }

    private TopicState Topic(string name)
    {
        if (!_topics.TryGetValue(name, out var topic))
        {
            topic = new TopicState();
            _topics[name] = topic;
        }

        return topic;
    }

    private sealed class TopicState
    {
        public List<BrokerMessage> Log { get; } = [];

        public Dictionary<string, ConsumerGroup> Groups { get; } = new(StringComparer.Ordinal);
    }
}
