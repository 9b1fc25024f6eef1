using System.Security.Cryptography;

using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using YamlDotNet.Core;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// The one Kubernetes client of the process (the official <see cref="IKubernetes"/>), built on first use from
/// <see cref="ClusterSettings"/>: the kubeconfig named by <c>KUBECONFIG</c> (every form the official loader
/// knows: tokens, client certificates, exec and auth-provider plugins, <c>KUBE_CONTEXT</c>), else the in-cluster
/// service account (its token file is re-read as the kubelet rotates it). Without either the PO still starts
/// (status reads keep working) and every cluster operation fails with <see cref="ClusterUnavailableException"/>.
/// </summary>
public sealed class ClusterConnection(IOptions<ClusterSettings> options, TimeProvider timeProvider, ILoggerFactory loggerFactory, LifecycleTelemetry? telemetry = null) : IDisposable
{
    private readonly Lazy<Connected> _connected = new(() => Connect(options.Value, timeProvider, loggerFactory, telemetry));

    public bool IsConfigured => _connected.Value.Client is not null;

    /// <summary>True when the PO runs inside the cluster (it reaches analyses through cluster DNS).</summary>
    public bool InCluster => _connected.Value.InCluster;

    public Kubernetes Client => _connected.Value.Client ?? throw new ClusterUnavailableException(_connected.Value.Error!);

    /// <summary>The analyses' namespace: <c>PO_NAMESPACE</c>, else the service account's or the context's, else <c>default</c>.</summary>
    public string Namespace => _connected.Value.Client is null ? throw new ClusterUnavailableException(_connected.Value.Error!) : _connected.Value.Namespace;

    /// <summary>Typed create, replace and delete of the PO's objects in <see cref="Namespace"/>.</summary>
    public KubernetesObjects Objects => new(Client, Namespace);

    /// <summary>
    /// The kubeconfig's <c>tls-server-name</c>: the name the API server's certificate is checked against when the
    /// server is reached under another address. The client sends it as the <c>Host</c> of its own requests; raw
    /// requests (<see cref="ServiceProxy"/>) must do the same.
    /// </summary>
    public string? TlsServerName => _connected.Value.TlsServerName;

    /// <summary>Whether analyses are called through the API server's service proxy.</summary>
    public bool UsesServiceProxy => options.Value.AnalysisAccess switch
    {
        "proxy" => true,
        "direct" => false,
        _ => !InCluster,
    };

    public void Dispose()
    {
        if (_connected.IsValueCreated)
        {
            _connected.Value.Client?.Dispose();
        }
    }

    /// <summary>The client configuration the settings select, or null when none is available.</summary>
    public static KubernetesClientConfiguration? LoadConfiguration(ClusterSettings settings, out bool inCluster)
    {
        ArgumentNullException.ThrowIfNull(settings);
        inCluster = false;
        if (!string.IsNullOrWhiteSpace(settings.KubeConfig))
        {
            // Built as BuildConfigFromConfigFile does, but an empty file (which the loader answers with a
            // NullReferenceException) is a configuration error like any other.
            var path = Path.GetFullPath(settings.KubeConfig);
            var kubeconfig = KubeConfigReader.Read(path) ?? throw new KubeConfigException($"The kubeconfig {path} is empty.");
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(
                kubeconfig, string.IsNullOrWhiteSpace(settings.Context) ? null : settings.Context);
        }

        if (KubernetesClientConfiguration.IsInCluster())
        {
            inCluster = true;
            return KubernetesClientConfiguration.InClusterConfig();
        }

        return null;
    }

    private static Connected Connect(ClusterSettings settings, TimeProvider timeProvider, ILoggerFactory loggerFactory, LifecycleTelemetry? telemetry)
    {
        KubernetesClientConfiguration? configuration;
        bool inCluster;
        Kubernetes client;
        try
        {
            configuration = LoadConfiguration(settings, out inCluster);
            if (configuration is null)
            {
                return new Connected(null, false, "", null, "No Kubernetes cluster is configured: set KUBECONFIG, or run the PO in a cluster with a service account.");
            }

            // The resilience handler bounds each attempt; the client's own timeout only caps a whole retried call.
            configuration.HttpClientTimeout = TimeSpan.FromMinutes(5);
            configuration.UserAgent = "flame-pod-orchestrator/1.0";

            // The client reads the client certificate and key files (or data) here, so their errors are caught too.
            // The first handler is the outermost: every retry of the resilience handler is counted as a request.
            client = new Kubernetes(
                configuration,
                new KubernetesResilienceHandler(new KubernetesResilienceOptions { TimeProvider = timeProvider }, loggerFactory.CreateLogger<KubernetesResilienceHandler>()),
                new KubernetesTelemetryHandler(telemetry));
        }
        catch (Exception error) when (error is KubeConfigException or IOException or UnauthorizedAccessException or FormatException or ArgumentException
            or InvalidOperationException or YamlException or CryptographicException)
        {
            return new Connected(null, false, "", null, $"The Kubernetes configuration cannot be loaded: {error.Message}");
        }

        var ns = !string.IsNullOrWhiteSpace(settings.Namespace) ? settings.Namespace.Trim()
            : !string.IsNullOrWhiteSpace(configuration.Namespace) ? configuration.Namespace.Trim()
            : "default";
        return new Connected(client, inCluster, ns, string.IsNullOrWhiteSpace(configuration.TlsServerName) ? null : configuration.TlsServerName, null);
    }

    private sealed record Connected(Kubernetes? Client, bool InCluster, string Namespace, string? TlsServerName, string? Error);
}

/// <summary>No usable Kubernetes configuration: nothing can be created, observed or deleted.</summary>
public sealed class ClusterUnavailableException : Exception
{
    public ClusterUnavailableException(string message)
        : base(message)
    {
    }

    public ClusterUnavailableException()
    {
    }

    public ClusterUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
