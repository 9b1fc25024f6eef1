using Flame.DaprSim.Sidecars;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flame.DaprSim;

/// <summary>How a simulator is set up: its sidecars, the resources they load and the timings of its background work.</summary>
public sealed record DaprSimOptions
{
    public IReadOnlyList<SidecarOptions> Sidecars { get; init; } = [];

    /// <summary>daprd <c>--resources-path</c>: directories (or files) with Component, Resiliency, Subscription and Configuration YAMLs.</summary>
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];

    /// <summary>The namespace of every app (self-hosted daprd: <c>default</c>); part of the caller identity the ACLs match.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>
    /// Whether callers have an mTLS identity. With it (the default, as on Kubernetes with Sentry) the target's access
    /// control matches the calling app id; without it daprd cannot identify callers and applies the global defaultAction.
    /// </summary>
    public bool Mtls { get; init; } = true;

    /// <summary>First wait before a failed delivery is retried; doubles each attempt up to <see cref="RedeliveryMaxDelay"/>.</summary>
    public TimeSpan RedeliveryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RedeliveryMaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a sidecar probes its app's port (until it is up, then to track reachability).</summary>
    public TimeSpan AppProbeInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Wait between attempts to read <c>GET /dapr/subscribe</c> from an app that does not answer.</summary>
    public TimeSpan SubscribeRetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Timeout of one request from a sidecar to its app.</summary>
    public TimeSpan AppRequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether every sidecar serves the workflow API (daprd always does): <c>TaskHubSidecarService</c> on the gRPC port for
    /// the Dapr.Workflow worker and client, <c>/v1.0/workflows/dapr/...</c> on the HTTP port.
    /// </summary>
    public bool Workflows { get; init; } = true;

    /// <summary>Features added to every sidecar's HTTP and gRPC servers (besides the workflow API).</summary>
    public IReadOnlyList<ISidecarFeature> Features { get; init; } = [];

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
