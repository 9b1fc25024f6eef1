using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.IntegrationTests.LogService;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Sandbox;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// The whole PO (<c>--target all</c>) as one separate process (<see cref="ChaosHost"/>) against the Sandbox and a fresh
/// PostgreSQL database; an in-process host on the same database only answers the test's reads of the records (no status
/// loop, no Hub delivery). Every kill hits the one process.
/// </summary>
public sealed class AllInOneChaosTarget : IChaosTarget
{
    /// <summary>The in-process host only answers the test's reads: no status loop, no Hub delivery.</summary>
    private static readonly Dictionary<string, string?> InProcess = new()
    {
        ["HUB_URL_CORE"] = "",
        ["HUB_URL_AUTH"] = "",
        ["HUB_CLIENT_ID"] = "",
        ["HUB_CLIENT_SECRET"] = "",
    };

    private readonly LifecycleHarness _harness;
    private readonly ChaosHost _host;
    private readonly Action<string> _log;

    private AllInOneChaosTarget(LifecycleHarness harness, ChaosHost host, Action<string> log)
    {
        _harness = harness;
        _host = host;
        _log = log;
    }

    public ChaosMode Mode => ChaosMode.AllInOne;

    public SandboxServer Sandbox => _harness.Sandbox;

    public TestDatabase Database => _harness.Database;

    public AnalysisRepository Records => _harness.Repository;

    public Uri BaseAddress => _host.BaseAddress;

    public IReadOnlyList<HostKill> Kills => _host.Kills;

    public string Outputs => _host.Outputs;

    public static async Task<AllInOneChaosTarget> StartAsync(ChaosPlan plan, IDictionary<string, string?> settings, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var harness = await LifecycleHarness.StartAsync(settings, commandsOnly: true, hub: true, inProcessOverrides: InProcess, sandboxSeed: plan.Seed);
        var host = new ChaosHost(new Dictionary<string, string?>(harness.Settings));
        var target = new AllInOneChaosTarget(harness, host, log);
        try
        {
            harness.Sandbox.StreamLogsUrl = new Uri(host.BaseAddress, "/po/stream_logs");
            await host.StartAsync(TimeSpan.FromSeconds(90));
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    public Task<HostKill> KillAndRestartAsync(int index, TimeSpan at, TimeSpan downtime, DateTime readyBy, bool mustBeReady) =>
        _host.KillAndRestartAsync(at, downtime, readyBy, mustBeReady);

    public Task WaitForDrainedAsync(TimeSpan timeout) => HubMirror.WaitForDrainedAsync(_harness, timeout);

    /// <summary>No workflow engine: the reconciler takes the steps itself.</summary>
    public Task<IReadOnlyList<WorkflowEnd>?> WorkflowsAsync(TimeSpan wait) => Task.FromResult<IReadOnlyList<WorkflowEnd>?>(null);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            _log("Host did not stop gracefully: " + e.Message);
        }

        await _host.DisposeAsync();
        try
        {
            await _harness.DisposeAsync();
        }
        catch (InvalidOperationException e)
        {
            // The untracked-objects check of the harness; the invariants report orphans themselves.
            _log("Harness: " + e.Message);
        }
    }
}
