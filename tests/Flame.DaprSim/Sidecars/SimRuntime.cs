using System.Collections.Concurrent;

using Flame.DaprSim.Inspection;
using Flame.DaprSim.PubSub;
using Flame.DaprSim.Resources;
using Flame.DaprSim.State;
using Flame.DaprSim.Workflows;

using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.Sidecars;

/// <summary>
/// What the simulated sidecars share: the loaded resources, one store per state store component, one broker per pub/sub
/// component (the in-memory stand-ins for the external PostgreSQL and Redis), one workflow engine per app id, the sidecar list (the name resolution of
/// service invocation) and the recorder.
/// </summary>
public sealed class SimRuntime
{
    private readonly ConcurrentDictionary<string, int> _roundRobin = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();

    public SimRuntime(DaprSimOptions options, ResourceSet resources)
    {
        Options = options;
        Resources = resources;
        Logger = options.LoggerFactory.CreateLogger("Flame.DaprSim");
        Workflows = new WorkflowEngines(options.LoggerFactory);
        foreach (var component in resources.Components)
        {
            if (component.IsStateStore)
            {
                Stores[component.Name] = new InMemoryStateStore(component.Name, options.TimeProvider);
            }
            else if (component.IsPubSub)
            {
                var sameBackend = Brokers.Values.FirstOrDefault(b => PubSubBroker.BackendKey(b.Component) == PubSubBroker.BackendKey(component));
                Brokers[component.Name] = new PubSubBroker(component, this, sameBackend);
            }
        }
    }

    public DaprSimOptions Options { get; }

    public ResourceSet Resources { get; }

    public ILogger Logger { get; }

    public SimRecorder Recorder { get; } = new();

    public Dictionary<string, InMemoryStateStore> Stores { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PubSubBroker> Brokers { get; } = new(StringComparer.Ordinal);

    public List<Sidecar> Sidecars { get; } = [];

    /// <summary>The workflow engines, one per app id (shared by its replicas).</summary>
    public WorkflowEngines Workflows { get; }

    public CancellationTokenSource Stopping { get; } = new();

    /// <summary>The sidecars of one app id in one namespace (name resolution).</summary>
    public IReadOnlyList<Sidecar> Replicas(string appId, string @namespace) =>
        Sidecars.Where(s => s.AppId == appId && s.Namespace == @namespace).OrderBy(s => s.Replica).ToList();

    /// <summary>Round-robin over the candidates, preferring those whose app is reachable.</summary>
    public T? PickRoundRobin<T>(string key, IReadOnlyList<T> candidates, Func<T, bool> reachable)
        where T : class
    {
        if (candidates.Count == 0)
        {
            return null;
        }

        var start = _roundRobin.AddOrUpdate(key, 0, (_, n) => n + 1);
        var ordered = Enumerable.Range(0, candidates.Count).Select(i => candidates[(start + i) % candidates.Count]).ToList();
        return ordered.FirstOrDefault(reachable) ?? ordered[0];
    }

    /// <summary>Runs background work that the simulator awaits when it stops.</summary>
    public void Run(Func<CancellationToken, Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work(Stopping.Token);
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
            {
                // Stopping.
            }
            catch (Exception e)
            {
                Logger.LogError(e, "background work failed");
            }
        });
        _background[task] = 0;
        _ = task.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    public Task WhenBackgroundStoppedAsync() => Task.WhenAll(_background.Keys);
}
