using System.Collections.Concurrent;

namespace Flame.Sandbox.Faults;

/// <summary>Requests by route key (e.g. <c>k8s:list:pods</c>); benchmarks read them to count API calls per operation.</summary>
public sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Increment(string routeKey) => _counts.AddOrUpdate(routeKey, 1, (_, n) => n + 1);

    public long Get(string routeKey) => _counts.TryGetValue(routeKey, out var n) ? n : 0;

    /// <summary>The sum over all keys matching a glob, e.g. <c>k8s:*</c>.</summary>
    public long Sum(string pattern) => _counts.Where(kv => FaultInjector.Matches(pattern, kv.Key)).Sum(kv => kv.Value);

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    public void Reset() => _counts.Clear();
}
