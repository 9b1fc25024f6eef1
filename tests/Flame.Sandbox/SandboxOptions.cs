namespace Flame.Sandbox;

/// <summary>How a sandbox is set up. Defaults suit a developer running it alone; tests shrink the time scale.</summary>
public sealed record SandboxOptions
{
    /// <summary>The namespace the PO works in; created at start next to <c>default</c> and <c>kube-system</c>.</summary>
    public string Namespace { get; init; } = "flame";

    /// <summary>Seeds names, uids, ids and fault decisions, so runs are reproducible.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Multiplier for simulated durations (scenario runtimes, image pulls, back-offs): 0.001 runs "20s" in 20 ms.</summary>
    public double TimeScale { get; init; } = 1.0;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where simulated analyses POST their log lines (the PO's <c>/po/stream_logs</c>); null = they do not stream.</summary>
    public Uri? StreamLogsUrl { get; init; }

    /// <summary>Lifetime of Keycloak access tokens.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    public string Realm { get; init; } = "flame";

    /// <summary>The client the PO uses for Keycloak admin calls and as a management caller.</summary>
    public string ManagementClientId { get; init; } = "flame-po";

    public string ManagementClientSecret { get; init; } = "flame-po-secret";

    public string HubClientId { get; init; } = "flame-node-robot";

    public string HubClientSecret { get; init; } = "flame-node-robot-secret";

    /// <summary>Bearer token the Kubernetes API requires; generated from the seed when null.</summary>
    public string? KubernetesToken { get; init; }

    /// <summary>
    /// Further bearer tokens the Kubernetes API accepts from the start, as service-account tokens (e.g. the one an
    /// in-cluster client reads from its projected volume); <see cref="SandboxServer.ApiAuthentication"/> accepts
    /// and revokes tokens while the sandbox runs.
    /// </summary>
    public IReadOnlyList<string> ServiceAccountTokens { get; init; } = [];

    /// <summary>Watch events kept for replay; older resourceVersions answer 410 Expired.</summary>
    public int WatchHistorySize { get; init; } = 1000;

    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The server closes watches after this long, as a real apiserver does (it picks 30–60 min).</summary>
    public TimeSpan MaxWatchDuration { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan ContinueTokenTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Fixed HTTP port (Kubernetes, Keycloak, Hub), or 0 for any free port.</summary>
    public int Port { get; init; }

    /// <summary>Fixed HTTPS port of the Kubernetes API (the kubeconfig's server), or 0 for any free port.</summary>
    public int TlsPort { get; init; }

    /// <summary>
    /// Creates the node services the PO discovers by label (hub adapter, message broker, storage, Kong proxy and
    /// the PO itself: Services plus running pods with IPs) in <see cref="Namespace"/> at start; see
    /// <see cref="Kubernetes.NodeServiceSeed"/>. Tests of the API itself may turn it off for an empty namespace.
    /// </summary>
    public bool SeedNodeServices { get; init; } = true;

    /// <summary>Directory for the kubeconfig; a new temporary directory when null.</summary>
    public string? WorkDirectory { get; init; }
}
