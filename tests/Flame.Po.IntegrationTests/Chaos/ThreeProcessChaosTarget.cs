using Dapr.Client;
using Flame.DaprSim.Inspection;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.IntegrationTests.Dapr;
using Flame.Po.IntegrationTests.LogService;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Sandbox;
using Microsoft.Extensions.Options;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// The PO in Dapr mode as three processes (<see cref="ThreeProcessHarness"/>: api, lifecycle, logging, each with its
/// simulated sidecar) against the Sandbox and a fresh PostgreSQL database. Records live in the simulator's state store
/// (component <c>statestore</c>, keys <c>lifecycle||…</c>); the test reads them as the lifecycle does, through the
/// lifecycle's sidecar with the product's <see cref="DaprStateStore"/> and <see cref="AnalysisRepository"/>, and never
/// writes them. Kills hit the lifecycle (see <see cref="ProcessFor"/>); the killed process comes back on the same port,
/// and its sidecar — which is not killed, as a pod's sidecar outlives an OOM-killed app container — hands it the
/// workflow work items and pub/sub deliveries the dead one left.
/// </summary>
public sealed class ThreeProcessChaosTarget : IChaosTarget
{
    private static readonly string[] Subscribers = ["lifecycle", "logging"];
    private static readonly HashSet<string> Running = new(["RUNNING", "PENDING", "SUSPENDED", "CONTINUED_AS_NEW"], StringComparer.Ordinal);

    private readonly ThreeProcessHarness _harness;
    private readonly DaprClient _dapr;
    private readonly ChaosPlan _plan;
    private readonly List<HostKill> _kills = [];
    private readonly List<string> _killedOutputs = [];

    private ThreeProcessChaosTarget(ThreeProcessHarness harness, ChaosPlan plan)
    {
        _harness = harness;
        _plan = plan;
        var sidecar = harness.Sim.Sidecar("lifecycle");
        _dapr = new DaprClientBuilder()
            .UseGrpcEndpoint($"http://127.0.0.1:{sidecar.GrpcPort}")
            .UseHttpEndpoint($"http://127.0.0.1:{sidecar.HttpPort}")
            .UseDaprApiToken(ThreeProcessHarness.ApiToken)
            .Build();
        Records = new AnalysisRepository(new DaprStateStore(_dapr, Options.Create(new DaprSettings())));
    }

    public ChaosMode Mode => ChaosMode.ThreeProcess;

    public SandboxServer Sandbox => _harness.Sandbox;

    public TestDatabase Database => _harness.Database;

    public AnalysisRepository Records { get; }

    public Uri BaseAddress => _harness.Url("api");

    public IReadOnlyList<HostKill> Kills => _kills;

    public string Outputs => string.Join(
        "\n---\n",
        _killedOutputs.Concat(ThreeProcessHarness.Apps.Where(_harness.IsStarted).Select(app => $"({app}, running)\n" + Tail(_harness.Output(app)))));

    /// <summary>
    /// Starts the Sandbox (time scale 0.01 and seed as the all-in-one run), the simulator and the three processes with
    /// <paramref name="settings"/> on top of the harness' Dapr settings. The status loop's cron ticks every second: the
    /// fastest a Dapr cron binding fires (<c>@every</c> counts whole seconds, at least one, as robfig/cron does), where the
    /// all-in-one host's timer ticks every <c>STATUS_LOOP_INTERVAL</c> (0.2 s).
    /// </summary>
    public static async Task<ThreeProcessChaosTarget> StartAsync(ChaosPlan plan, IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(settings);
        var harness = await ThreeProcessHarness.StartAsync(
            settings,
            sandboxOptions: new SandboxOptions { TimeScale = 0.01, TokenLifetime = TimeSpan.FromMinutes(5), Seed = plan.Seed },
            statusLoopEvery: "1s");
        return new ThreeProcessChaosTarget(harness, plan);
    }

    /// <summary>
    /// Which process the <paramref name="index"/>-th kill of the plan hits: the lifecycle for the first three and for every
    /// kill in the Hub outage (so the suite's "three kills, one in the outage" holds for the lifecycle alone); further kills
    /// (plans of 160 analyses or more have them) alternate between logging and the api, logging first.
    /// </summary>
    public static string ProcessFor(ChaosPlan plan, int index)
    {
        ArgumentNullException.ThrowIfNull(plan);
        bool Lifecycle(int i) => i < 3 || (plan.Kills[i].At >= plan.OutageFrom && plan.Kills[i].At < plan.OutageUntil);
        if (Lifecycle(index))
        {
            return "lifecycle";
        }

        var others = Enumerable.Range(0, index).Count(i => !Lifecycle(i));
        return others % 2 == 0 ? "logging" : "api";
    }

    public async Task<HostKill> KillAndRestartAsync(int index, TimeSpan at, TimeSpan downtime, DateTime readyBy, bool mustBeReady)
    {
        var app = ProcessFor(_plan, index);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var output = await _harness.KillAsync(app);
        _killedOutputs.Add($"({app} killed at {at.TotalSeconds:F1} s)\n" + Tail(output));
        await Task.Delay(downtime);
        var down = watch.Elapsed;
        _harness.Start(app);
        TimeSpan? readyAfter = null;
        try
        {
            await _harness.WaitForReadyAsync(app, readyBy - DateTime.UtcNow);
            readyAfter = watch.Elapsed - down;
        }
        catch (TimeoutException) when (!mustBeReady)
        {
            // Killed again while it starts.
        }

        var kill = new HostKill(at, down, readyAfter, app);
        _kills.Add(kill);
        return kill;
    }

    /// <summary>
    /// First every event published on the broker is acknowledged (or dropped) by the lifecycle's and logging's consumer
    /// groups — the in-flight part the embedded mode keeps in <c>event_outbox</c> — then the Hub outbox in PostgreSQL is
    /// drained as in the embedded mode.
    /// </summary>
    public async Task WaitForDrainedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pending = UndeliveredEvents();
        while (pending.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{pending.Count} events are still not delivered: {string.Join(", ", pending.Take(5))}");
            }

            await Task.Delay(200);
            pending = UndeliveredEvents();
        }

        await HubMirror.WaitForDrainedAsync(_harness.Database, deadline - DateTime.UtcNow);
    }

    public async Task<IReadOnlyList<WorkflowEnd>?> WorkflowsAsync(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var instances = await _harness.Sim.WorkflowInstancesAsync("lifecycle");
            if (DateTime.UtcNow > deadline || !instances.Any(i => Running.Contains(i.RuntimeStatus)))
            {
                return instances.Select(i => new WorkflowEnd(i.InstanceId, i.WorkflowName, i.RuntimeStatus, i.FailureMessage)).ToList();
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _dapr.Dispose();
        await _harness.DisposeAsync();
    }

    /// <summary>Messages on the PO's topics that a subscribing service's consumer group has not acknowledged or dropped yet.</summary>
    private List<string> UndeliveredEvents()
    {
        var sim = _harness.Sim;
        var settled = sim.Deliveries
            .Where(d => d.Outcome != DeliveryOutcome.Retry)
            .Select(d => (d.ConsumerGroup, d.MessageId))
            .ToHashSet();
        return sim.Published
            .SelectMany(m => sim.ConsumerGroups(m.PubSub, m.Topic).Where(g => Subscribers.Contains(g, StringComparer.Ordinal)).Select(g => (Group: g, Message: m)))
            .Where(x => !settled.Contains((x.Group, x.Message.MessageId)))
            .Select(x => $"{x.Message.Topic} {x.Message.MessageId} to {x.Group}")
            .ToList();
    }

    private static string Tail(string output)
    {
        var lines = output.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 40)));
    }
}
