using System.Net;
using System.Text.RegularExpressions;
using Flame.DaprSim;
using Flame.DaprSim.Sidecars;
using Flame.Po.IntegrationTests.Support;
using Flame.Sandbox;
using Flame.Testing;
using FreePort = Flame.Po.IntegrationTests.Support.FreePort;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// The Dapr mode as three real processes of the one executable (<c>--target api|lifecycle|logging</c>), each with
/// its simulated Dapr sidecar (<see cref="DaprSimulator"/>, loading the repository's <c>components/</c> with the
/// status-loop cron made fast), against the Kubernetes/Keycloak/Hub sandbox and PostgreSQL. Two further sidecars
/// without an app play callers: <c>flame-hub-adapter</c> (allowed to invoke the api) and <c>intruder</c>.
/// </summary>
public sealed partial class ThreeProcessHarness : IAsyncDisposable
{
    public const string AppToken = "three-process-app-token";
    public const string ApiToken = "three-process-dapr-token";
    public static readonly string[] Apps = ["api", "lifecycle", "logging"];

    private readonly Dictionary<string, HostProcess> _processes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _ports;
    private readonly Dictionary<string, string?> _settings;
    private readonly string _resources;

    private ThreeProcessHarness(SandboxServer sandbox, TestDatabase database, DaprSimulator sim, Dictionary<string, int> ports, Dictionary<string, string?> settings, string resources)
    {
        Sandbox = sandbox;
        Database = database;
        Sim = sim;
        _ports = ports;
        _settings = settings;
        _resources = resources;
        Http = new HttpClient { BaseAddress = Url("api"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public SandboxServer Sandbox { get; }

    public TestDatabase Database { get; }

    public DaprSimulator Sim { get; }

    /// <summary>The api's public port, as clients call it.</summary>
    public HttpClient Http { get; }

    public Uri Url(string app) => new($"http://127.0.0.1:{_ports[app]}/");

    public string Output(string app) => _processes[app].Output;

    /// <summary>
    /// Starts sandbox, database, sidecars and the three apps; <paramref name="apiReplicas"/> api processes.
    /// <paramref name="sandboxOptions"/> replace the Sandbox's (time scale 0.05, tokens valid 10 minutes), e.g. to seed it;
    /// <paramref name="statusLoopEvery"/> is the status-loop cron's <c>@every</c> period (a Go duration; a Dapr cron counts
    /// whole seconds, at least one, so the default 500 ms, like 1 s, ticks every second).
    /// </summary>
    public static async Task<ThreeProcessHarness> StartAsync(
        IDictionary<string, string?>? overrides = null, int apiReplicas = 1, SandboxOptions? sandboxOptions = null, string statusLoopEvery = "500ms")
    {
        var sandbox = await SandboxServer.StartAsync(sandboxOptions ?? new SandboxOptions { TimeScale = 0.05, TokenLifetime = TimeSpan.FromMinutes(10) });
        var database = await TestPostgres.CreateDatabaseAsync();
        var ports = Apps.ToDictionary(app => app, _ => FreePort.Next(), StringComparer.Ordinal);
        for (var replica = 1; replica < apiReplicas; replica++)
        {
            ports[$"api#{replica}"] = FreePort.Next();
        }

        var resources = ComponentsCopy.Create((name, text) => name == "status-loop.yaml" ? EverySchedule().Replace(text, "@every " + statusLoopEvery) : text);
        var sim = await DaprSimulator.StartAsync(new DaprSimOptions
        {
            ResourcesPaths = [resources],
            Sidecars =
            [
                .. Enumerable.Range(1, apiReplicas - 1).Select(r => Sidecar("api", ports[$"api#{r}"], Path.Combine(resources, "config-api.yaml")) with { Replica = r }),
                Sidecar("api", ports["api"], Path.Combine(resources, "config-api.yaml")),
                Sidecar("lifecycle", ports["lifecycle"], Path.Combine(resources, "config.yaml")),
                Sidecar("logging", ports["logging"], Path.Combine(resources, "config.yaml")),
                Sidecar("flame-hub-adapter", FreePort.Next(), null),
                Sidecar("intruder", FreePort.Next(), null),
            ],
            RedeliveryDelay = TimeSpan.FromMilliseconds(100),
            RedeliveryMaxDelay = TimeSpan.FromSeconds(2),
            AppProbeInterval = TimeSpan.FromMilliseconds(100),
            SubscribeRetryInterval = TimeSpan.FromMilliseconds(200),
        });

        var settings = database.EnvironmentValues();
        settings["KUBECONFIG"] = sandbox.KubeconfigPath;
        settings["PO_NAMESPACE"] = sandbox.Namespace;
        settings["ANALYSIS_ACCESS"] = "proxy";
        settings["KEYCLOAK_URL"] = sandbox.KeycloakBaseUrl;
        settings["RESULT_CLIENT_ID"] = "flame-po";
        settings["RESULT_CLIENT_SECRET"] = "flame-po-secret";
        settings["HUB_URL_CORE"] = sandbox.HubUrl;
        settings["HUB_URL_AUTH"] = sandbox.HubAuthUrl;
        settings["HUB_CLIENT_ID"] = "flame-node-robot";
        settings["HUB_CLIENT_SECRET"] = "flame-node-robot-secret";
        settings["HUB_SYNC_INTERVAL"] = "0.2";
        settings["HUB_LOGGING"] = "true";
        settings["STATUS_LOOP_INTERVAL"] = "0.5";
        settings["STARTUP_GRACE"] = "8";
        settings["PENDING_TIMEOUT"] = "1";
        settings["UNRESPONSIVE_TIMEOUT"] = "10";
        settings["RESTART_BACKOFF_BASE"] = "0.05";
        settings["RESTART_BACKOFF_MAX"] = "0.2";
        settings["ORPHAN_GRACE"] = "15";
        settings["HEALTHZ_TIMEOUT"] = "3";
        settings["LOG_LEVEL"] = "warning";
        settings["PO_BUILDING_BLOCKS"] = "dapr";
        settings["APP_API_TOKEN"] = AppToken;
        settings["DAPR_API_TOKEN"] = ApiToken;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var harness = new ThreeProcessHarness(sandbox, database, sim, ports, settings, resources);
        var processes = ports.Keys.ToList();
        foreach (var app in processes)
        {
            harness.Start(app);
        }

        sandbox.StreamLogsUrl = new Uri(harness.Url("api"), "/po/stream_logs");
        foreach (var app in processes)
        {
            await harness.WaitForReadyAsync(app);
        }

        return harness;
    }

    /// <summary>
    /// Kills the app's process (SIGKILL, no shutdown) and forgets it; <see cref="Start"/> starts it again on the same
    /// port and sidecar. Returns what the killed process wrote.
    /// </summary>
    public async Task<string> KillAsync(string app)
    {
        var process = _processes[app];
        _processes.Remove(app);
        await process.DisposeAsync();
        return process.Output;
    }

    /// <summary>Whether the app has a process (started and neither killed nor waited for since).</summary>
    public bool IsStarted(string app) => _processes.ContainsKey(app);

    /// <summary>
    /// Starts an app's process: <c>api</c>, <c>lifecycle</c>, <c>logging</c>, or a further api replica <c>api#N</c>;
    /// <paramref name="overrides"/> change its settings for this start only (e.g. arm a fault point).
    /// </summary>
    public void Start(string app, IDictionary<string, string?>? overrides = null)
    {
        var appId = app.Split('#')[0];
        var sidecar = app.Contains('#', StringComparison.Ordinal) ? Sim.Sidecar(appId, int.Parse(app.Split('#')[1], System.Globalization.CultureInfo.InvariantCulture)) : Sim.Sidecar(appId);
        var environment = new Dictionary<string, string?>(_settings)
        {
            ["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = sidecar.GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["APP_ID"] = appId,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        _processes[app] = HostProcess.Start(["--target", appId, "--urls", $"http://127.0.0.1:{_ports[app]}"], environment);
    }

    /// <summary>Waits for an app's process to end by itself (a fault point killed it) and forgets it; its exit code.</summary>
    public async Task<int> WaitForExitAsync(string app, TimeSpan timeout)
    {
        var code = await _processes[app].WaitForExitAsync(timeout);
        await _processes[app].DisposeAsync();
        _processes.Remove(app);
        return code;
    }

    public Task WaitForReadyAsync(string app, TimeSpan? timeout = null) => _processes[app].WaitForReadyAsync(Url(app), timeout);

    /// <summary>The Kubernetes objects whose name holds the analysis id.</summary>
    public List<string> ObjectsOf(string analysisId) =>
        new[] { "deployments", "services", "networkpolicies", "configmaps", "secrets", "pods" }
            .SelectMany(kind => Sandbox.Objects.List(kind, Sandbox.Namespace).Select(o => $"{kind}/{o["metadata"]?["name"]}"))
            .Where(name => name.Contains(analysisId, StringComparison.Ordinal))
            .ToList();

    /// <summary>The status the Hub holds for the analysis on this node.</summary>
    public string? HubStatus(string analysisId) =>
        Sandbox.Hub.AnalysisNode(analysisId, Sandbox.Hub.OwnNodeId)?["execution_status"]?.GetValue<string>();

    /// <summary>Polls <paramref name="condition"/> every 200 ms for up to 90 s.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what) =>
        Wait.UntilAsync(condition, TimeSpan.FromSeconds(90), what, TimeSpan.FromMilliseconds(200));

    /// <summary>Polls an asynchronous <paramref name="condition"/> every 200 ms for up to 120 s.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what) =>
        Wait.UntilAsync(condition, TimeSpan.FromSeconds(120), what, TimeSpan.FromMilliseconds(200));

    /// <summary>Polls <c>GET /po/status/{id}</c> (management token) until <paramref name="condition"/> holds.</summary>
    public async Task<(string Status, int Progress)> WaitForStatusAsync(string analysisId, Func<(string Status, int Progress), bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        (string, int) last = default;
        while (DateTime.UtcNow < deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/po/status/{analysisId}");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Sandbox.Tokens.Management());
            using var response = await Http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var entry = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty(analysisId);
                last = (entry.GetProperty("status").GetString()!, entry.GetProperty("progress").GetInt32());
                if (condition(last))
                {
                    return last;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{analysisId} never reached the expected status; last {last}");
    }

    /// <summary>A call to the api's public port with a management token.</summary>
    public async Task<HttpResponseMessage> CallAsync(HttpMethod method, string path, System.Text.Json.Nodes.JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Sandbox.Tokens.Management());
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        return await Http.SendAsync(request);
    }

    /// <summary>The lifecycle's workflow instances of one analysis (ids start with the analysis id), oldest first.</summary>
    public async Task<List<Flame.DaprSim.Workflows.WorkflowInstanceInfo>> WorkflowsOfAsync(string analysisId) =>
        (await Sim.WorkflowInstancesAsync("lifecycle")).Where(w => w.InstanceId.StartsWith(analysisId + "-", StringComparison.Ordinal)).ToList();

    /// <summary>A client of one caller's sidecar (its HTTP API, with the sidecar's API token).</summary>
    public HttpClient SidecarOf(string appId)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Sim.Sidecar(appId).HttpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("dapr-api-token", ApiToken);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync();
        }

        await Sim.DisposeAsync();
        await Database.DisposeAsync();
        await Sandbox.DisposeAsync();
        Directory.Delete(_resources, recursive: true);
    }

    private static SidecarOptions Sidecar(string appId, int appPort, string? config) =>
        new() { AppId = appId, AppPort = appPort, ConfigPath = config, ApiToken = ApiToken, AppToken = AppToken };

    /// <summary>The status-loop cron's schedule (every 10 s), made faster (at most once a second: see <see cref="StartAsync"/>).</summary>
    [GeneratedRegex(@"@every \d+s")]
    private static partial Regex EverySchedule();
}

/// <summary>One three-process harness per test class (<c>IClassFixture</c>).</summary>
public sealed class ThreeProcessFixture : IAsyncLifetime
{
    public ThreeProcessHarness H { get; private set; } = null!;

    public async Task InitializeAsync() => H = await ThreeProcessHarness.StartAsync();

    public async Task DisposeAsync() => await H.DisposeAsync();
}
