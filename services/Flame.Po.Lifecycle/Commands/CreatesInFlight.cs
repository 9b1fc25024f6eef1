using System.Collections.Concurrent;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// The creates this process is running between their first Secret and their record (docs/compatibility.md#cleanup).
/// A create writes its Secrets before its record, so for that moment its Secrets look orphaned; the orphan sweep
/// leaves the objects of a create in flight here alone, whatever the grace. Creates in another process are covered by
/// the orphan grace alone.
/// </summary>
public sealed class CreatesInFlight
{
    private readonly ConcurrentDictionary<string, int> _running = new(StringComparer.Ordinal);

    /// <summary>Marks <paramref name="analysisId"/>'s create as running until the returned scope is disposed.</summary>
    public IDisposable Begin(string analysisId)
    {
        _running.AddOrUpdate(analysisId, 1, (_, count) => count + 1);
        return new Scope(this, analysisId);
    }

    /// <summary>Whether a create of <paramref name="analysisId"/> is running in this process.</summary>
    public bool Contains(string analysisId) => _running.ContainsKey(analysisId);

    private void End(string analysisId)
    {
        while (_running.TryGetValue(analysisId, out var count))
        {
            if (count == 1 ? _running.TryRemove(new KeyValuePair<string, int>(analysisId, 1)) : _running.TryUpdate(analysisId, count - 1, count))
            {
                return;
            }
        }
    }

    private sealed class Scope(CreatesInFlight owner, string analysisId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.End(analysisId);
            }
        }
    }
}
