using System.Text;

using Flame.DaprSim.Inspection;
using Flame.DaprSim.Resources;
using Flame.DaprSim.Sidecars;
using Flame.DaprSim.State;
using Flame.DaprSim.Workflows;

namespace Flame.DaprSim;

/// <summary>
/// A simulated Dapr runtime for tests: the sidecars of several apps (replicas included) in one process, with the Dapr
/// HTTP and gRPC APIs, in-memory state stores and brokers built from the real component YAMLs, service invocation with
/// access control, pub/sub delivery and cron bindings. Start it with <see cref="StartAsync"/>; the apps need not be up yet
/// (each sidecar waits for its app's port, as daprd does).
/// </summary>
public sealed class DaprSimulator : IAsyncDisposable
{
    private readonly SimRuntime _runtime;
    private readonly List<SidecarHost> _hosts;

    private DaprSimulator(SimRuntime runtime, List<SidecarHost> hosts)
    {
        _runtime = runtime;
        _hosts = hosts;
    }

    public static async Task<DaprSimulator> StartAsync(DaprSimOptions options, CancellationToken ct = default)
    {
        var paths = options.ResourcesPaths.Concat(options.Sidecars.SelectMany(s => s.ResourcesPaths)).Distinct().ToList();
        var resources = ResourceSet.Load(options.ResourcesPaths);
        var runtime = new SimRuntime(options, ResourceSet.Load(paths));
        var hosts = new List<SidecarHost>();
        var simulator = new DaprSimulator(runtime, hosts);
        IReadOnlyList<ISidecarFeature> features = options.Workflows ? [new WorkflowFeature(), .. options.Features] : options.Features;
        try
        {
            foreach (var spec in options.Sidecars)
            {
                // Per-app resources paths add components for that app only.
                var own = spec.ResourcesPaths.Count == 0 ? resources : Merge(resources, ResourceSet.Load(spec.ResourcesPaths));
                var sidecar = new Sidecar(spec, runtime, own);
                runtime.Sidecars.Add(sidecar);
                hosts.Add(await SidecarHost.StartAsync(sidecar, features, ct));
            }

            foreach (var sidecar in runtime.Sidecars)
            {
                sidecar.Start();
            }
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }

        return simulator;
    }

    private static ResourceSet Merge(ResourceSet common, ResourceSet own)
    {
        var merged = new ResourceSet();
        merged.Components.AddRange(common.Components.Concat(own.Components).DistinctBy(c => c.Name));
        merged.Resiliencies.AddRange(common.Resiliencies.Concat(own.Resiliencies));
        merged.Subscriptions.AddRange(common.Subscriptions.Concat(own.Subscriptions));
        merged.Configurations.AddRange(common.Configurations.Concat(own.Configurations));
        return merged;
    }

    /// <summary>Every simulated sidecar, in the order given.</summary>
    public IReadOnlyList<Sidecar> Sidecars => _runtime.Sidecars;

    /// <summary>The sidecar of one replica of an app.</summary>
    public Sidecar Sidecar(string appId, int replica = 0) =>
        _runtime.Sidecars.FirstOrDefault(s => s.AppId == appId && s.Replica == replica)
            ?? throw new KeyNotFoundException($"no sidecar for app {appId} replica {replica}");

    public SimRecorder Recorder => _runtime.Recorder;

    public IReadOnlyList<PublishedMessage> Published => _runtime.Recorder.Published;

    public IReadOnlyList<DeliveryRecord> Deliveries => _runtime.Recorder.Deliveries;

    public IReadOnlyList<InvocationRecord> Invocations => _runtime.Recorder.Invocations;

    public IReadOnlyList<CronFire> CronFires => _runtime.Recorder.CronFires;

    public int CronFireCount(string binding, string appId, int? replica = null) =>
        _runtime.Recorder.CronFires.Count(f => f.Binding == binding && f.AppId == appId && (replica is null || f.Replica == replica));

    /// <summary>The raw store of a state store component (keys as stored: <c>{appId}||{key}</c>).</summary>
    public InMemoryStateStore Store(string name) =>
        _runtime.Stores.TryGetValue(name, out var store) ? store : throw new KeyNotFoundException($"no state store {name}");

    /// <summary>The items of one app in a store, by the app's own keys, with values as UTF-8 text.</summary>
    public IReadOnlyDictionary<string, (string Value, string ETag)> StateEntries(string store, string appId)
    {
        var prefix = appId + "||";
        return Store(store).Snapshot()
            .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(e => e.Key[prefix.Length..], e => (Encoding.UTF8.GetString(e.Value), e.ETag), StringComparer.Ordinal);
    }

    /// <summary>The consumer groups that subscribed to a topic.</summary>
    public IReadOnlyList<string> ConsumerGroups(string pubsub, string topic) =>
        _runtime.Brokers.TryGetValue(pubsub, out var broker) ? broker.Groups(topic) : [];

    /// <summary>The workflow engine of an app id (all its replicas share it).</summary>
    public WorkflowEngine WorkflowEngine(string appId) => _runtime.Workflows.For(appId);

    /// <summary>
    /// The workflow instances started on an app id's engine (by the client, the HTTP API or as child workflows) that still
    /// exist (purged ones are gone), oldest first, with daprd's runtime status spelling and the custom status.
    /// </summary>
    public Task<IReadOnlyList<WorkflowInstanceInfo>> WorkflowInstancesAsync(string appId) => _runtime.Workflows.For(appId).InstancesAsync();

    public async ValueTask DisposeAsync()
    {
        await _runtime.Stopping.CancelAsync();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _runtime.Workflows.DisposeAsync();

        await _runtime.WhenBackgroundStoppedAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var sidecar in _runtime.Sidecars)
        {
            sidecar.Dispose();
        }

        _runtime.Stopping.Dispose();
    }
}
