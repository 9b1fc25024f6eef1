using Flame.DaprSim.Sidecars;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// The consumer group of a sidecar on a pub/sub: the component's <c>consumerID</c> metadata, the app id when empty
/// (daprd: pkg/runtime/processor/pubsub/pubsub.go). daprd expands <c>{uuid}</c> (a new UUID per load), <c>{podName}</c>,
/// <c>{namespace}</c> (as <c>namespace.appid</c>) and <c>{appID}</c> in every metadata value (daprd: pkg/runtime/meta/meta.go).
/// Replicas sharing a group compete for messages; a <c>{uuid}</c> or <c>{podName}</c> group per replica makes each get all.
/// </summary>
public static class ConsumerIdTemplate
{
    public static string Expand(string? template, Sidecar sidecar)
    {
        var value = (template ?? "").Trim();
        if (value.Length == 0)
        {
            return sidecar.AppId;
        }

        while (value.Contains("{uuid}", StringComparison.Ordinal))
        {
            var at = value.IndexOf("{uuid}", StringComparison.Ordinal);
            value = string.Concat(value.AsSpan(0, at), Guid.NewGuid().ToString(), value.AsSpan(at + "{uuid}".Length));
        }

        return value
            .Replace("{podName}", sidecar.PodName, StringComparison.Ordinal)
            .Replace("{namespace}", sidecar.Namespace + "." + sidecar.AppId, StringComparison.Ordinal)
            .Replace("{appID}", sidecar.AppId, StringComparison.Ordinal);
    }
}
