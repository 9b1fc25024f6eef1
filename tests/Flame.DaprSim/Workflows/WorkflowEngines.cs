using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.Workflows;

/// <summary>The workflow engines of a simulator, one per app id (created when a sidecar of that app id first needs it).</summary>
public sealed class WorkflowEngines : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<WorkflowEngine>> _engines = new(StringComparer.Ordinal);
    private readonly ILoggerFactory _loggerFactory;

    public WorkflowEngines(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
    }

    public WorkflowEngine For(string appId) =>
        _engines.GetOrAdd(appId, id => new Lazy<WorkflowEngine>(() => new WorkflowEngine(id, _loggerFactory))).Value;

    public bool TryGet(string appId, out WorkflowEngine? engine)
    {
        engine = _engines.TryGetValue(appId, out var lazy) && lazy.IsValueCreated ? lazy.Value : null;
        return engine is not null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in _engines.Values.Where(l => l.IsValueCreated))
        {
            await engine.Value.DisposeAsync();
        }

        _engines.Clear();
    }
}
