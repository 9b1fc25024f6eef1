using System.Collections.Concurrent;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// Which analyses this process is advancing now, and when it last finished advancing each. A command's follow-up and
/// the status loop's tick would otherwise advance the same analysis at once, or the tick would act on the record it
/// listed before the follow-up moved it on: both then take the same step (a second Kubernetes create answered 409, a
/// second Keycloak token) and one loses the record's compare-and-swap. The tick leaves an analysis that a follow-up is
/// advancing, or advanced after the tick listed the records, to that follow-up and to the next tick; a follow-up that
/// finds the tick advancing its analysis looks again later. Other replicas are not seen here: for them the
/// compare-and-swap still decides (docs/compatibility.md#b1).
/// </summary>
public sealed class AdvancingAnalyses(TimeProvider time)
{
    private const long Running = long.MaxValue;

    // Analysis id → Running while advanced here, else the UTC ticks when that ended.
    private readonly ConcurrentDictionary<string, long> _advanced = new(StringComparer.Ordinal);

    /// <summary>Marks the analysis as advanced here until the returned scope is disposed; null when it already is.</summary>
    public IDisposable? TryBegin(string analysisId)
    {
        while (true)
        {
            if (_advanced.TryGetValue(analysisId, out var state))
            {
                if (state == Running)
                {
                    return null;
                }

                if (_advanced.TryUpdate(analysisId, Running, state))
                {
                    return new Scope(this, analysisId);
                }
            }
            else if (_advanced.TryAdd(analysisId, Running))
            {
                return new Scope(this, analysisId);
            }
        }
    }

    /// <summary>Whether the analysis is advanced here now, or was after <paramref name="since"/>.</summary>
    public bool AdvancedSince(string analysisId, DateTimeOffset since) =>
        _advanced.TryGetValue(analysisId, out var state) && state > since.UtcTicks;

    /// <summary>Forgets analyses whose last advance ended before <paramref name="before"/> (each tick, before it lists).</summary>
    public void ForgetBefore(DateTimeOffset before)
    {
        foreach (var (analysisId, state) in _advanced)
        {
            if (state < before.UtcTicks)
            {
                _advanced.TryRemove(new KeyValuePair<string, long>(analysisId, state));
            }
        }
    }

    /// <summary>How many analyses are remembered (advanced now or since the last <see cref="ForgetBefore"/>).</summary>
    public int Count => _advanced.Count;

    private void End(string analysisId) => _advanced[analysisId] = time.GetUtcNow().UtcTicks;

    private sealed class Scope(AdvancingAnalyses owner, string analysisId) : IDisposable
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
