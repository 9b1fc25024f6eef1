using System.Collections.Concurrent;

using Flame.DaprSim.Bindings;
using Flame.DaprSim.Errors;
using Flame.DaprSim.Invocation;
using Flame.DaprSim.PubSub;
using Flame.DaprSim.Resources;
using Flame.DaprSim.State;

using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.Sidecars;

/// <summary>
/// One simulated daprd: the components in its scope, its access control, its app channel and its subscriptions. The
/// HTTP and gRPC servers of <see cref="SidecarHost"/> serve its API.
/// </summary>
public sealed class Sidecar : IDisposable
{
    private readonly List<SubscriptionSpec> _subscriptions = [];
    private readonly Lock _lock = new();

    public Sidecar(SidecarOptions options, SimRuntime runtime, ResourceSet resources)
    {
        Options = options;
        Runtime = runtime;
        Namespace = runtime.Options.Namespace;
        Configuration = options.ConfigPath is null ? ConfigurationSpec.Default : ConfigurationSpec.Load(options.ConfigPath);
        AccessControl = AccessControlList.Parse(Configuration.AccessControl);
        AppChannel = new AppChannel(options.AppPort, options.AppToken, runtime.Options.AppRequestTimeout);
        Components = resources.Components.Where(c => c.InScope(options.AppId)).ToList();
        foreach (var component in Components)
        {
            if (component.IsStateStore && runtime.Stores.TryGetValue(component.Name, out var store))
            {
                StateStores[component.Name] = new StateStoreBinding(store, new StateKeys(component.Meta("keyPrefix"), component.Name, Namespace));
            }
            else if (component.IsPubSub && runtime.Brokers.TryGetValue(component.Name, out var broker))
            {
                PubSubs[component.Name] = new PubSubBinding(broker, ConsumerIdTemplate.Expand(component.Meta("consumerID"), this));
            }
        }

        DeclarativeSubscriptions = resources.Subscriptions.Where(s => s.InScope(options.AppId)).Select(s => s.Subscription).ToList();
        Resiliency = resources.Resiliencies.Where(r => r.InScope(options.AppId)).ToList();
    }

    public SidecarOptions Options { get; }

    public SimRuntime Runtime { get; }

    public string AppId => Options.AppId;

    public int Replica => Options.Replica;

    public string Namespace { get; }

    /// <summary>The simulated pod name (what daprd's <c>{podName}</c> metadata template expands to).</summary>
    public string PodName => $"{AppId}-{Replica}";

    public string? ApiToken => Options.ApiToken;

    public int HttpPort { get; internal set; }

    public int GrpcPort { get; internal set; }

    public ConfigurationSpec Configuration { get; }

    /// <summary>This app's mTLS identity as the targets' ACLs see it (daprd: pkg/security/spiffe).</summary>
    public string SpiffeId => $"spiffe://{Configuration.TrustDomain}/ns/{Namespace}/{AppId}";

    public AccessControlList? AccessControl { get; }

    public AppChannel AppChannel { get; }

    public IReadOnlyList<ComponentSpec> Components { get; }

    public Dictionary<string, StateStoreBinding> StateStores { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PubSubBinding> PubSubs { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<SubscriptionSpec> DeclarativeSubscriptions { get; }

    public IReadOnlyList<ResiliencySpec> Resiliency { get; }

    public ConcurrentDictionary<string, string> ExtendedMetadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Components are loaded when the sidecar starts (<c>/v1.0/healthz/outbound</c>).</summary>
    public bool OutboundReady { get; internal set; }

    /// <summary>The app channel is up (<c>/v1.0/healthz</c>): daprd becomes ready once its app's port accepts connections.</summary>
    public bool Ready => AppChannel.Initialized;

    public bool SubscriptionsLoaded { get; private set; }

    public IReadOnlyList<SubscriptionSpec> Subscriptions
    {
        get
        {
            lock (_lock)
            {
                return [.. _subscriptions];
            }
        }
    }

    public ILogger Logger => Runtime.Logger;

    /// <summary>The store for an API call, or daprd's "not configured" (no store at all) / "not found" error.</summary>
    public StateStoreBinding StateStore(string name, bool http)
    {
        if (StateStores.Count == 0)
        {
            throw DaprErrors.StateStoreNotConfigured(name, http ? AppId : "");
        }

        return StateStores.TryGetValue(name, out var store) ? store : throw DaprErrors.StateStoreNotFound(name, http ? AppId : "");
    }

    public PubSubBinding PubSub(string name)
    {
        if (name.Length == 0)
        {
            throw DaprErrors.PubSubNameEmpty();
        }

        return PubSubs.TryGetValue(name, out var pubsub) ? pubsub : throw DaprErrors.PubSubNotFound(name);
    }

    /// <summary>
    /// After how many failed deliveries a message goes to the dead-letter topic: once the inbound retry policy of the pub/sub
    /// (Resiliency <c>targets.components.{name}.inbound.retry</c>, or a <c>Default*InboundRetryPolicy</c>) is exhausted; with no
    /// policy daprd sends it at the first failure; <c>maxRetries: -1</c> retries for ever.
    /// </summary>
    public int DeadLetterAfterAttempts(string pubsub)
    {
        foreach (var resiliency in Resiliency)
        {
            var policy = resiliency.ComponentInboundRetry.GetValueOrDefault(pubsub)
                ?? new[] { "DefaultPubsubComponentInboundRetryPolicy", "DefaultComponentInboundRetryPolicy", "DefaultRetryPolicy" }.FirstOrDefault(resiliency.Retries.ContainsKey);
            if (policy is not null && resiliency.Retries.TryGetValue(policy, out var retry))
            {
                return retry.MaxRetries < 0 ? int.MaxValue : retry.MaxRetries + 1;
            }
        }

        return 1;
    }

    /// <summary>Starts the sidecar's background work: the app channel, then subscriptions and input bindings once the app is up.</summary>
    public void Start()
    {
        OutboundReady = true;
        Runtime.Run(ct => AppChannel.MonitorAsync(Runtime.Options.AppProbeInterval, ct));
        Runtime.Run(async ct =>
        {
            await AppChannel.WhenInitialized.WaitAsync(ct);
            Logger.LogInformation("app {app_id} replica {replica}: app channel up on port {port}", AppId, Replica, Options.AppPort);
            await LoadSubscriptionsAsync(ct);
            foreach (var cron in Components.Where(c => c.IsCronBinding))
            {
                Runtime.Run(token => new CronBinding(cron, this).RunAsync(token));
            }
        });
    }

    private async Task LoadSubscriptionsAsync(CancellationToken ct)
    {
        var programmatic = await SubscriptionLoader.LoadAsync(this, ct);
        var all = programmatic.Concat(DeclarativeSubscriptions).ToList();
        foreach (var subscription in all)
        {
            if (!PubSubs.TryGetValue(subscription.PubsubName, out var pubsub))
            {
                Logger.LogWarning("app {app_id}: subscription to topic {topic} of pubsub {pubsub} ignored: no such pubsub in its scope", AppId, subscription.Topic, subscription.PubsubName);
                continue;
            }

            lock (_lock)
            {
                _subscriptions.Add(subscription);
            }

            pubsub.Broker.Subscribe(this, subscription, pubsub.ConsumerId);
            Logger.LogInformation("app {app_id} replica {replica}: subscribed to {pubsub}/{topic} as consumer group {group}", AppId, Replica, subscription.PubsubName, subscription.Topic, pubsub.ConsumerId);
        }

        SubscriptionsLoaded = true;
    }

    public void Dispose() => AppChannel.Dispose();
}

/// <summary>A state store as one sidecar sees it: the shared store and this sidecar's key prefixing.</summary>
public sealed record StateStoreBinding(InMemoryStateStore Store, StateKeys Keys);

/// <summary>A pub/sub as one sidecar sees it: the shared broker and this sidecar's consumer group.</summary>
public sealed record PubSubBinding(PubSubBroker Broker, string ConsumerId);
