using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>The whole host (<c>--target all</c>) on real PostgreSQL, against the Sandbox, with short time budgets.</summary>
public sealed class LifecycleHarness : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly List<RunningHost> _replicas = [];

    private LifecycleHarness(SandboxServer sandbox, TestDatabase database, RunningHost host, Dictionary<string, string?> settings)
    {
        Sandbox = sandbox;
        Database = database;
        Host = host;
        _settings = settings;
    }

    public SandboxServer Sandbox { get; }
    public TestDatabase Database { get; }
    public RunningHost Host { get; }

    public AnalysisCommands Commands => Host.Services.GetRequiredService<AnalysisCommands>();
    public AnalysisRepository Repository => Host.Services.GetRequiredService<AnalysisRepository>();

    /// <summary>The settings the host runs with (to start more replicas or separate processes).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <param name="commandsOnly">The in-process host takes commands but never reconciles (no status loop, no
    /// reconcile after commands): crash tests let a separate, killable process do the reconciling.</param>
    /// <param name="hub">Configure the Sandbox's Hub (off by default: most tests need no Hub traffic).</param>
    /// <param name="inProcessOverrides">Settings for the in-process host only, on top of <see cref="Settings"/> (e.g. to
    /// keep it from talking to the Hub while a separate process does).</param>
    /// <param name="sandboxSeed">Seeds the Sandbox's names and fault decisions.</param>
    public static async Task<LifecycleHarness> StartAsync(
        IDictionary<string, string?>? overrides = null, double timeScale = 0.01, bool commandsOnly = false, bool hub = false, TimeSpan? tokenLifetime = null,
        IDictionary<string, string?>? inProcessOverrides = null, int sandboxSeed = 42)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { TimeScale = timeScale, TokenLifetime = tokenLifetime ?? TimeSpan.FromMinutes(5), Seed = sandboxSeed });
        var database = await TestPostgres.CreateDatabaseAsync();
        var settings = database.EnvironmentValues();
        settings["KUBECONFIG"] = sandbox.KubeconfigPath;
        settings["PO_NAMESPACE"] = sandbox.Namespace;
        settings["ANALYSIS_ACCESS"] = "proxy";
        settings["KEYCLOAK_URL"] = sandbox.KeycloakBaseUrl;
        settings["RESULT_CLIENT_ID"] = "flame-po";
        settings["RESULT_CLIENT_SECRET"] = "flame-po-secret";
        settings["STATUS_LOOP_INTERVAL"] = "0.2";
        settings["STARTUP_GRACE"] = "8";
        settings["PENDING_TIMEOUT"] = "1";
        settings["UNRESPONSIVE_TIMEOUT"] = "10";
        settings["RESTART_BACKOFF_BASE"] = "0.05";
        settings["RESTART_BACKOFF_MAX"] = "0.2";
        settings["ORPHAN_GRACE"] = "1";
        settings["HEALTHZ_TIMEOUT"] = "3";
        if (hub)
        {
            settings["HUB_URL_CORE"] = sandbox.HubUrl;
            settings["HUB_URL_AUTH"] = sandbox.HubAuthUrl;
            settings["HUB_CLIENT_ID"] = "flame-node-robot";
            settings["HUB_CLIENT_SECRET"] = "flame-node-robot-secret";
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var inProcess = new Dictionary<string, string?>(settings);
        if (commandsOnly)
        {
            inProcess["RECONCILER_ENABLED"] = "false";
        }

        foreach (var (key, value) in inProcessOverrides ?? new Dictionary<string, string?>())
        {
            inProcess[key] = value;
        }

        var host = await RunningHost.StartAsync(HostTarget.All, inProcess);
        var harness = new LifecycleHarness(sandbox, database, host, settings);
        try
        {
            if (!commandsOnly)
            {
                await host.WaitForReadinessAsync(System.Net.HttpStatusCode.OK);
            }
            else
            {
                // A harness without its schema only produces confusing failures later: fail here, saying why.
                var schema = host.Services.GetRequiredService<Flame.Po.Persistence.DatabaseStatus>();
                await Wait.UntilAsync(() => schema.Migrated, what: "the lifecycle harness's database schema", poll: TimeSpan.FromMilliseconds(50));
            }
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }

        return harness;
    }

    /// <summary>A second replica of the whole host on the same database and cluster: its status loop ticks too.</summary>
    public async Task<RunningHost> StartReplicaAsync()
    {
        // A replica's orphan sweep cannot see the creates in flight in this host (CreatesInFlight is per process):
        // only the grace protects them, so a short test grace would let a slow create lose its Secrets.
        var settings = new Dictionary<string, string?>(_settings);
        if (!double.TryParse(settings.GetValueOrDefault("ORPHAN_GRACE"), System.Globalization.CultureInfo.InvariantCulture, out var grace) || grace < 15)
        {
            settings["ORPHAN_GRACE"] = "15";
        }

        var replica = await RunningHost.StartAsync(HostTarget.All, settings);
        _replicas.Add(replica);
        return replica;
    }

    public static CreateAnalysisCommand Create(string image, string? analysisId = null) => new()
    {
        AnalysisId = analysisId ?? Guid.NewGuid().ToString(),
        ProjectId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        RegistryUrl = "harbor.sandbox.local",
        ImageUrl = image,
        RegistryUser = "robot$demo",
        RegistryPassword = "registry-password",
        KongToken = "none_needed",
    };

    /// <summary>Polls the record until <paramref name="condition"/> holds; fails with the last record.</summary>
    public async Task<AnalysisRecord> WaitForAsync(string analysisId, Func<AnalysisRecord, bool> condition, TimeSpan? timeout = null)
    {
        AnalysisRecord? last = null;
        await Wait.UntilAsync(
            async () => (last = (await Repository.GetAsync(analysisId, CancellationToken.None))?.Record) is not null && condition(last),
            timeout ?? TimeSpan.FromSeconds(60),
            $"analysis {analysisId} to reach the expected state",
            details: () => $"last: {last?.Status} {last?.Phase} counter {last?.RestartCounter} reason {last?.Reason}");
        return last!;
    }

    public Task<AnalysisRecord> WaitForFinishedAsync(string analysisId, TimeSpan? timeout = null) =>
        WaitForAsync(analysisId, r => r.Phase == LifecyclePhase.Finished, timeout);

    /// <summary>The nginx config in the analysis' ConfigMap, or null without one.</summary>
    public string? NginxConfig(WorkloadNames names) =>
        Sandbox.Objects.Get("configmaps", Sandbox.Namespace, names.NginxConfigMap)?["data"]?[AnalysisManifests.NginxConfigKey]?.GetValue<string>();

    /// <summary>The config hash nginx was last rolled with (its pod template's annotation), or null without one.</summary>
    public string? NginxConfigHash(WorkloadNames names) =>
        Sandbox.Objects.Get("deployments", Sandbox.Namespace, names.Nginx)?["spec"]?["template"]?["metadata"]?["annotations"]?[AnalysisManifests.NginxConfigHashAnnotation]?.GetValue<string>();

    /// <summary>Names of every object labelled as belonging to the analysis that is still in the cluster.</summary>
    public IReadOnlyList<string> ObjectsOf(string analysisId) => ObjectsOf(Sandbox, analysisId);

    /// <summary>As <see cref="ObjectsOf(string)"/>, in the Sandbox of any mode.</summary>
    public static IReadOnlyList<string> ObjectsOf(SandboxServer sandbox, string analysisId) =>
        new[] { "deployments", "services", "networkpolicies", "configmaps", "secrets" }
            .SelectMany(plural => sandbox.Objects.List(plural, sandbox.Namespace, $"{WorkloadLabels.AnalysisId}={analysisId}")
                .Select(o => $"{plural}/{o["metadata"]?["name"]}"))
            .ToList();

    public static bool IsTerminal(AnalysisRecord record) => AnalysisStatus.IsTerminal(record.Status);

    /// <summary>
    /// Every object labelled as the PO's belongs to an analysis it still tracks: after every test run the Sandbox
    /// holds no object the PO no longer tracks. Orphans get the orphan grace to disappear.
    /// </summary>
    public Task<IReadOnlyList<string>> UntrackedObjectsAsync(TimeSpan? wait = null) => UntrackedObjectsAsync(Sandbox, Repository, wait);

    /// <summary>As <see cref="UntrackedObjectsAsync(TimeSpan?)"/>, with the records of any mode (<paramref name="repository"/>).</summary>
    public static async Task<IReadOnlyList<string>> UntrackedObjectsAsync(SandboxServer sandbox, AnalysisRepository repository, TimeSpan? wait = null)
    {
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var tracked = (await repository.ListAsync(activeOnly: false, CancellationToken.None))
                .Where(s => s.Record.Phase != LifecyclePhase.Finished)
                .Select(s => s.Record.AnalysisId)
                .ToHashSet(StringComparer.Ordinal);
            var untracked = new[] { "deployments", "services", "networkpolicies", "configmaps", "secrets" }
                .SelectMany(plural => sandbox.Objects.List(plural, sandbox.Namespace, WorkloadLabels.ManagedSelector)
                    .Where(o => !tracked.Contains(o["metadata"]?["labels"]?[WorkloadLabels.AnalysisId]?.GetValue<string>() ?? ""))
                    .Select(o => $"{plural}/{o["metadata"]?["name"]}"))
                .ToList();
            if (untracked.Count == 0 || DateTime.UtcNow > deadline)
            {
                return untracked;
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var untracked = await UntrackedObjectsAsync();
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await Host.DisposeAsync();
        await Sandbox.DisposeAsync();
        await Database.DisposeAsync();
        if (untracked.Count > 0)
        {
            throw new InvalidOperationException($"The sandbox holds objects the PO no longer tracks: {string.Join(", ", untracked)}");
        }
    }
}
