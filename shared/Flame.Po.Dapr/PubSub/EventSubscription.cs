namespace Flame.Po.Dapr.PubSub;

/// <summary>
/// A subscription as Dapr's <c>GET /dapr/subscribe</c> describes it: the component, the topic, and the app
/// route the sidecar posts messages to. The embedded bus ignores the route and calls the handler directly.
/// </summary>
public sealed record EventSubscription(string PubSubName, string Topic, string Route, Type HandlerType);
