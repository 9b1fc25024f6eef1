using Flame.Po.Kubernetes.Client;
using Flame.Po.Kubernetes.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// The Kubernetes client of the lifecycle, built on first use from <see cref="ClusterSettings"/>: a kubeconfig
/// when <c>KUBECONFIG</c> is set, else the in-cluster service account. Without either the PO still starts
/// (status reads keep working) and every cluster operation fails with <see cref="ClusterUnavailableException"/>.
/// </summary>
public sealed class ClusterConnection(IOptions<ClusterSettings> options, TimeProvider timeProvider, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly Lazy<(KubernetesClient? Client, bool InCluster, string? Error)> _client = new(() => Create(options.Value, timeProvider, loggerFactory));

    public bool IsConfigured => _client.Value.Client is not null;

    /// <summary>True when the PO runs inside the cluster (it reaches analyses through cluster DNS).</summary>
    public bool InCluster => _client.Value.InCluster;

    public KubernetesClient Client => _client.Value.Client ?? throw new ClusterUnavailableException(_client.Value.Error!);

    public string Namespace => Client.DefaultNamespace;

    /// <summary>Whether analyses are called through the API server's service proxy.</summary>
    public bool UsesServiceProxy => options.Value.AnalysisAccess switch
    {
        "proxy" => true,
        "direct" => false,
        _ => !InCluster,
    };

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Client?.Dispose();
        }
    }

    private static (KubernetesClient?, bool, string?) Create(ClusterSettings settings, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        KubernetesConnection connection;
        bool inCluster;
        try
        {
            if (!string.IsNullOrWhiteSpace(settings.KubeConfig))
            {
                connection = KubeConfigLoader.Load(settings.KubeConfig, string.IsNullOrWhiteSpace(settings.Context) ? null : settings.Context, timeProvider);
                inCluster = false;
            }
            else if (InClusterConfiguration.IsAvailable())
            {
                connection = InClusterConfiguration.LoadFromEnvironment(timeProvider: timeProvider);
                inCluster = true;
            }
            else
            {
                return (null, false, "No Kubernetes cluster is configured: set KUBECONFIG, or run the PO in a cluster with a service account.");
            }
        }
        catch (Exception error) when (error is KubeConfigException or IOException or UnauthorizedAccessException or FormatException)
        {
            return (null, false, $"The Kubernetes configuration cannot be loaded: {error.Message}");
        }

        if (!string.IsNullOrWhiteSpace(settings.Namespace))
        {
            connection = connection with { Namespace = settings.Namespace };
        }

        return (new KubernetesClient(connection, logger: loggerFactory.CreateLogger<KubernetesClient>()), inCluster, null);
    }
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
