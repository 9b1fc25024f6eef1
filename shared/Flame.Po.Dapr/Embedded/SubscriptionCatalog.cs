using Flame.Po.Core;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// The subscriptions this host announces on <c>GET /dapr/subscribe</c>, read once like daprd reads them at start
/// and read again after a delivery failure. Subscriptions on <see cref="Topics.PubSubName"/> compete across hosts
/// (one host delivers each message, from the outbox); those on <see cref="Topics.EveryReplicaPubSubName"/> are
/// delivered on every host.
/// </summary>
public sealed class SubscriptionCatalog(AppChannelClient channel)
{
    private IReadOnlyList<AppChannelClient.Subscription>? _subscriptions;

    public async Task<IReadOnlyList<string>> RoutesAsync(string pubSubName, string topic, CancellationToken cancellationToken)
    {
        var subscriptions = _subscriptions ??= await channel.GetSubscriptionsAsync(cancellationToken);
        return subscriptions
            .Where(s => s.PubSubName == pubSubName && s.Topic == topic)
            .Select(s => s.Route)
            .ToList();
    }

    public void Invalidate() => _subscriptions = null;
}
