using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

using Flame.Sandbox.Faults;
using Flame.Sandbox.Hub;
using Flame.Sandbox.Keycloak;
using Flame.Sandbox.Kubernetes;
using Flame.Sandbox.Scenarios;
using Flame.Sandbox.Support;

namespace Flame.Sandbox;

/// <summary>
/// A FLAME node in a box: one Kestrel server on 127.0.0.1 that plays the Kubernetes API server (with a simulated
/// controller-manager, scheduler and kubelet), Keycloak and the FLAME Hub, with fault injection and introspection.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private const string KeycloakPrefix = "/keycloak";
    private const string HubPrefix = "/hub";
    private const string HubAuthPrefix = "/hub-auth";

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly List<Task> _loops;
    private readonly HttpClient _streamClient;
    private readonly KeycloakRealm _realm;
    private readonly Kubelet _kubelet;
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;

    /// <summary>The temporary directory created here (no <see cref="SandboxOptions.WorkDirectory"/> given), removed on dispose.</summary>
    private string? _temporaryDirectory;

    private SandboxServer(WebApplication app, CancellationTokenSource stopping, List<Task> loops, HttpClient streamClient, KeycloakRealm realm, Kubelet kubelet, SandboxParts parts, SandboxOptions options)
    {
        _app = app;
        _stopping = stopping;
        _loops = loops;
        _streamClient = streamClient;
        _realm = realm;
        _kubelet = kubelet;
        Faults = parts.Faults;
        Counters = parts.Counters;
        Objects = parts.Objects;
        Hub = parts.Hub;
        Tokens = new TokenFactory(realm, options.ManagementClientId);
        Namespace = options.Namespace;
        KubernetesToken = parts.Token;
        ApiAuthentication = parts.Authenticator;
        StreamLogsUrl = options.StreamLogsUrl;
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>The API server over TLS (what the kubeconfig names); trust <see cref="CertificateAuthorityPem"/>.</summary>
    public string KubernetesUrl { get; private set; } = "";

    /// <summary>The same API over plain HTTP, for clients that do not need TLS in tests (kubectl refuses tokens over HTTP).</summary>
    public string KubernetesHttpUrl => BaseUrl;

    /// <summary>PEM of the self-signed serving certificate (its own CA).</summary>
    public string CertificateAuthorityPem { get; private set; } = "";

    public string KubeconfigPath { get; private set; } = "";

    public string KubernetesToken { get; }

    /// <summary>The bearer tokens the Kubernetes API accepts (change them while it runs) and the token each request carried.</summary>
    public ApiAuthenticator ApiAuthentication { get; }

    public string Namespace { get; }

    /// <summary>Realm URL (<c>&lt;base&gt;/realms/&lt;realm&gt;</c>), the token issuer.</summary>
    public string KeycloakUrl => _realm.Issuer;

    /// <summary>Keycloak root (what the PO calls KEYCLOAK_URL, docs/compatibility.md#configuration).</summary>
    public string KeycloakBaseUrl => BaseUrl + KeycloakPrefix;

    public string HubUrl => BaseUrl + HubPrefix;

    public string HubAuthUrl => BaseUrl + HubAuthPrefix;

    /// <summary>Where simulated analyses stream their logs; may be set after the PO has started.</summary>
    public Uri? StreamLogsUrl { get; set; }

    public FaultInjector Faults { get; }

    public RequestCounters Counters { get; }

    public SandboxObjects Objects { get; }

    public TokenFactory Tokens { get; }

    public KeycloakRealm Keycloak => _realm;

    public HubState Hub { get; }

    public IReadOnlyList<HubCall> HubCalls => Hub.Calls;

    /// <summary>Sets the Hub execution status of one analysis-node (e.g. a partner), as seen by the PO's partner-status lookups.</summary>
    public void SetPartnerStatus(string analysisNodeId, string? status) => Hub.SetExecutionStatus(analysisNodeId, status);

    /// <summary>The simulated analysis (SDK API) currently serving deployment <paramref name="deploymentName"/>, if its pod runs.</summary>
    public AnalysisApp? FindAnalysis(string deploymentName)
    {
        foreach (var pod in Objects.List("pods", Namespace, $"app={deploymentName}"))
        {
            if (_kubelet.Find(pod.Str("metadata", "uid")!)?.Containers.Select(c => c.App).FirstOrDefault(a => a is not null) is { } app)
            {
                return app;
            }
        }

        return null;
    }

    /// <summary>
    /// Writes <paramref name="line"/> to the current log of every running container of the pods labelled
    /// <c>app=<paramref name="app"/></c>, as the program inside would; returns how many containers got it.
    /// </summary>
    public int WriteContainerLog(string app, string line)
    {
        var written = 0;
        foreach (var pod in Objects.List("pods", Namespace, $"app={app}"))
        {
            foreach (var container in _kubelet.Find(pod.Str("metadata", "uid")!)?.Containers ?? [])
            {
                container.Log.Append(DateTimeOffset.UtcNow, line);
                written++;
            }
        }

        return written;
    }

    private sealed record SandboxParts(FaultInjector Faults, RequestCounters Counters, SandboxObjects Objects, HubState Hub, string Token, ApiAuthenticator Authenticator);

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken ct = default)
    {
        var time = options.TimeProvider;
        var clock = new SimClock(time, options.TimeScale);
        var random = new Random(options.Seed);
        var token = options.KubernetesToken ?? "sandbox-" + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()));
        var store = new ObjectStore(options.WatchHistorySize);
        var clusterIps = new IpAllocator("10.96", 10);
        var api = new ApiCore(store, clock, random, new Defaulting(clusterIps.Next));
        var continues = new ContinueTokens(time, options.ContinueTokenTtl);
        var logs = new PodLogStore();
        var faults = new FaultInjector(options.Seed, time);
        var counters = new RequestCounters();
        var realm = new KeycloakRealm(options.Realm, time, options.TokenLifetime, options.Seed);
        realm.AddClient(options.ManagementClientId, options.ManagementClientSecret, canManageClients: true);
        var hub = new HubState(time, options.Seed, options.HubClientId, options.HubClientSecret, TimeSpan.FromHours(1));
        var stopping = new CancellationTokenSource();
        var streamClient = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        SandboxServer? server = null;
        var streamer = new LogStreamer(streamClient, () => server?.StreamLogsUrl);
        var kubelet = new Kubelet(new KubeletContext(api, logs, clock, new IpAllocator("10.244", 1), streamer, stopping.Token));
        var loops = new List<Task>
        {
            kubelet.RunAsync(stopping.Token),
            new DeploymentController(api, clock).RunAsync(stopping.Token),
            new GarbageCollector(api).RunAsync(stopping.Token),
        };
        foreach (var ns in new[] { "default", "kube-system", options.Namespace }.Distinct())
        {
            api.Create(ResourceCatalog.Namespaces, null, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        if (options.SeedNodeServices)
        {
            NodeServiceSeed.Create(api, options.Namespace);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = ServingCertificate.Create(time);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.Listen(IPAddress.Loopback, options.TlsPort, listen => listen.UseHttps(certificate));
        });
        var app = builder.Build();

        var authenticator = new ApiAuthenticator(time, [token, .. options.ServiceAccountTokens]);
        var runtime = new KubernetesRuntime(api, continues, logs, kubelet, faults, clock, authenticator, options.BookmarkInterval, options.MaxWatchDuration);
        var kubernetes = new KubernetesEndpoints(runtime);
        var faultMiddleware = new FaultMiddleware(faults, counters, time, r => RouteKeys.For(r, KeycloakPrefix, HubPrefix, HubAuthPrefix));
        var recorder = new HubRecorder(hub, time);
        var objects = new SandboxObjects(api, continues);

        app.Use((context, next) => faultMiddleware.InvokeAsync(context, () => next(context)));
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path.StartsWith(HubAuthPrefix + "/", StringComparison.Ordinal))
            {
                return recorder.InvokeAsync(context, () => next(context), path[HubAuthPrefix.Length..]);
            }

            if (path.StartsWith(HubPrefix + "/", StringComparison.Ordinal) && !path.StartsWith(HubPrefix + "/_sim", StringComparison.Ordinal))
            {
                return recorder.InvokeAsync(context, () => next(context), path[HubPrefix.Length..]);
            }

            var ours = path.StartsWith(KeycloakPrefix + "/", StringComparison.Ordinal) || path.StartsWith(HubPrefix + "/", StringComparison.Ordinal)
                || path.StartsWith(HubAuthPrefix + "/", StringComparison.Ordinal) || path.StartsWith("/_sim/", StringComparison.Ordinal);
            return ours ? next(context) : kubernetes.HandleAsync(context);
        });
        app.UseRouting();
        KeycloakEndpoints.Map(app, KeycloakPrefix, realm);
        HubEndpoints.MapAuth(app, HubAuthPrefix, hub);
        HubEndpoints.MapCore(app, HubPrefix, hub);
        SimEndpoints.Map(app, faults, counters, objects);

        await app.StartAsync(ct);
        var address = app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal));
        var parts = new SandboxParts(faults, counters, objects, hub, token, authenticator);
        server = new SandboxServer(app, stopping, loops, streamClient, realm, kubelet, parts, options);
        server.BaseUrl = address.TrimEnd('/');
        realm.Issuer = $"{server.BaseUrl}{KeycloakPrefix}/realms/{options.Realm}";
        var directory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "flame-sandbox-" + Guid.NewGuid().ToString("N")[..12]);
        server._temporaryDirectory = options.WorkDirectory is null ? directory : null;
        server.KubernetesUrl = app.Urls.First(u => u.StartsWith("https://", StringComparison.Ordinal)).TrimEnd('/');
        server.CertificateAuthorityPem = certificate.ExportCertificatePem();
        server._certificate = certificate;
        server.KubeconfigPath = Kubeconfig.Write(directory, server.KubernetesUrl, server.CertificateAuthorityPem, token, options.Namespace);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync(CancellationToken.None);
        await Task.WhenAll(_loops);
        await _app.DisposeAsync();
        _streamClient.Dispose();
        _realm.Dispose();
        _certificate?.Dispose();
        _stopping.Dispose();
        if (_temporaryDirectory is not null && Directory.Exists(_temporaryDirectory))
        {
            Directory.Delete(_temporaryDirectory, recursive: true);
        }
    }

    /// <summary>The port, for printing.</summary>
    public int Port => new Uri(BaseUrl).Port;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"SandboxServer({BaseUrl})");
}
