using System.Text.RegularExpressions;

namespace Flame.Sandbox.Faults;

/// <summary>
/// Seeded fault injection: with the same seed and the same request sequence, the same requests fail,
/// so a flaky-network test is reproducible.
/// </summary>
public sealed class FaultInjector(int seed, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = [];
    private readonly Dictionary<FaultRule, long> _fired = new(ReferenceEqualityComparer.Instance);
    private Random _random = new(seed);

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return _rules.ToList();
            }
        }
    }

    public void Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    /// <summary>An outage: every matching request fails with <paramref name="statusCode"/> for <paramref name="duration"/>.</summary>
    public void Outage(string route, TimeSpan duration, int statusCode = 503)
    {
        var now = time.GetUtcNow();
        Add(new FaultRule { Route = route, StatusCode = statusCode, From = now, Until = now + duration });
    }

    /// <summary>How often <paramref name="rule"/> (this instance) fired since it was added; kept after <see cref="Clear"/>.</summary>
    public long Fired(FaultRule rule)
    {
        lock (_gate)
        {
            return _fired.GetValueOrDefault(rule);
        }
    }

    /// <summary>Removes all rules and restarts the random sequence from the seed.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _random = new Random(seed);
        }
    }

    /// <summary>The first rule that matches <paramref name="routeKey"/> and fires this time, if any.</summary>
    /// <remarks><paramref name="watchDrops"/> selects the dropped-watch rules (asked by the watch stream) instead of the request rules (asked by the middleware).</remarks>
    public FaultRule? Decide(string routeKey, bool watchDrops)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            foreach (var rule in _rules)
            {
                if (!Matches(rule.Route, routeKey) || (rule.DropWatchAfterEvents is not null) != watchDrops
                    || (rule.From is { } from && now < from) || (rule.Until is { } until && now >= until))
                {
                    continue;
                }

                if (rule.Rate >= 1.0 || _random.NextDouble() < rule.Rate)
                {
                    _fired[rule] = _fired.GetValueOrDefault(rule) + 1;
                    return rule;
                }
            }

            return null;
        }
    }

    public static bool Matches(string pattern, string routeKey) =>
        Regex.IsMatch(routeKey, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));
}
