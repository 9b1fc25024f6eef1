using Flame.Sandbox;
using Flame.Sandbox.Faults;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// The faults of a chaos run, armed in the Sandbox: <see cref="ChaosPlan.KubernetesFaultRate"/> of the Kubernetes
/// requests fail (500, 503, or 429 with Retry-After), watches are dropped at the same rate, and the Hub (API and auth)
/// answers 503 during the outage window.
/// </summary>
public sealed class ChaosFaults
{
    private readonly SandboxServer _sandbox;
    private readonly List<(string Kind, FaultRule Rule)> _rules = [];

    private ChaosFaults(SandboxServer sandbox) => _sandbox = sandbox;

    public static ChaosFaults Arm(SandboxServer sandbox, ChaosPlan plan, DateTimeOffset start)
    {
        var faults = new ChaosFaults(sandbox);

        // Rules are asked in order and the first that fires wins: conditional rates make the shares 3 %, 3 % and 4 %.
        var rate = ChaosPlan.KubernetesFaultRate;
        var r500 = rate * 0.3;
        var r503 = rate * 0.3 / (1 - r500);
        var r429 = rate * 0.4 / (1 - r500 - (rate * 0.3));
        faults.Add("kubernetes 500", new FaultRule { Route = "k8s:*", Rate = r500, StatusCode = 500 });
        faults.Add("kubernetes 503", new FaultRule { Route = "k8s:*", Rate = r503, StatusCode = 503, RetryAfterSeconds = 1 });
        faults.Add("kubernetes 429 (Retry-After 1 s)", new FaultRule { Route = "k8s:*", Rate = r429, StatusCode = 429, RetryAfterSeconds = 1 });
        faults.Add("dropped watch", new FaultRule { Route = "k8s:watch:*", Rate = rate, DropWatchAfterEvents = 1 });
        faults.Add("hub outage 503", new FaultRule { Route = "hub:*", StatusCode = 503, From = start + plan.OutageFrom, Until = start + plan.OutageUntil });
        faults.Add("hub auth outage 503", new FaultRule { Route = "hubauth:*", StatusCode = 503, From = start + plan.OutageFrom, Until = start + plan.OutageUntil });
        return faults;
    }

    /// <summary>How often each kind of fault fired.</summary>
    public IReadOnlyDictionary<string, long> Fired() => _rules.ToDictionary(r => r.Kind, r => _sandbox.Faults.Fired(r.Rule), StringComparer.Ordinal);

    /// <summary>Ends the Kubernetes faults (the Hub outage is over by then).</summary>
    public void Disarm() => _sandbox.Faults.Clear();

    private void Add(string kind, FaultRule rule)
    {
        _sandbox.Faults.Add(rule);
        _rules.Add((kind, rule));
    }
}
