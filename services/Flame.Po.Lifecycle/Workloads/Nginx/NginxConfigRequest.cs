namespace Flame.Po.Lifecycle.Workloads.Nginx;

/// <summary>Everything that varies between two analyses' nginx configurations.</summary>
/// <param name="AnalysisId">Lower-case UUID; becomes part of the message-broker routes.</param>
/// <param name="ProjectId">Lower-case UUID; becomes part of the hub-adapter data-store route.</param>
/// <param name="Analysis">The analysis Service (<c>D</c>, port 80) that <c>/analysis/…</c> forwards to.</param>
/// <param name="Services">Node services found by discovery.</param>
/// <param name="Sources">Pod IPs admitted per direction.</param>
public sealed record NginxConfigRequest(
    string AnalysisId,
    string ProjectId,
    UpstreamService Analysis,
    NodeServices Services,
    NginxSourceAddresses Sources)
{
    public const int AnalysisServicePort = 80;

    public static NginxConfigRequest For(WorkloadNames names, string projectId, NodeServices services, NginxSourceAddresses sources) =>
        new(names.AnalysisId, projectId, new UpstreamService(names.Deployment, AnalysisServicePort), services, sources);
}

/// <summary>Where nginx listens and writes; the defaults fit the nginx pod built by the manifests.</summary>
public sealed record NginxRenderOptions
{
    /// <summary>Container port of nginx: 8080 because a non-root process cannot bind port 80; the nginx
    /// Service still exposes port 80, which is what the SDK calls.</summary>
    public const int DefaultListenPort = 8080;

    /// <summary>The emptyDir mounted into the read-only nginx container for pid and temp files.</summary>
    public const string DefaultWritableDirectory = "/tmp";

    public static NginxRenderOptions Default { get; } = new();

    /// <summary>Literal IP address to bind, or null for all addresses (tests bind loopback only).</summary>
    public System.Net.IPAddress? ListenAddress { get; init; }

    public int ListenPort { get; init; } = DefaultListenPort;

    public string WritableDirectory { get; init; } = DefaultWritableDirectory;
}
