namespace Flame.DaprSim.Sidecars;

/// <summary>One simulated daprd: the app it serves and its own ports, configuration and tokens.</summary>
public sealed record SidecarOptions
{
    public required string AppId { get; init; }

    /// <summary>The app's port; the app is reached at <c>http://127.0.0.1:{AppPort}</c>.</summary>
    public required int AppPort { get; init; }

    /// <summary>daprd <c>--dapr-http-port</c>; 0 picks a free port.</summary>
    public int HttpPort { get; init; }

    /// <summary>daprd <c>--dapr-grpc-port</c> (HTTP/2 cleartext); 0 picks a free port.</summary>
    public int GrpcPort { get; init; }

    /// <summary>Index among the replicas of <see cref="AppId"/>; several sidecars may serve one app id.</summary>
    public int Replica { get; init; }

    /// <summary>daprd <c>--config</c>: a file with a Configuration resource (access control); null = daprd's default (allow all).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>DAPR_API_TOKEN of this sidecar: the app must send it as <c>dapr-api-token</c>; null = no check.</summary>
    public string? ApiToken { get; init; }

    /// <summary>APP_API_TOKEN: sent as <c>dapr-api-token</c> on every call this sidecar makes to its app; null = none.</summary>
    public string? AppToken { get; init; }

    /// <summary>The app's health path, only reported in the metadata (the simulator probes the app's port).</summary>
    public string? AppHealthCheckPath { get; init; }

    /// <summary>Extra resources paths of this app only (the run file's per-app <c>resourcesPath</c>).</summary>
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];
}
