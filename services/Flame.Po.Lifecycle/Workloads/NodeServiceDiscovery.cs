using k8s;
using k8s.Models;

namespace Flame.Po.Lifecycle.Workloads;

/// <summary>
/// Finds the node services and pod IPs nginx needs, from one label-selected list of Services and Pods each
/// (docs/compatibility.md#node-services). A missing service or a pod without IP is a clear error instead of a
/// broken nginx config (docs/compatibility.md#b24). The ports are the node services' fixed ports.
/// </summary>
public static class NodeServiceDiscovery
{
    public const int KongProxyPort = 80;
    public const int StoragePort = 8080;
    public const int HubAdapterPort = 5000;
    public const int MessageBrokerPort = 80;
    public const int PodOrchestratorPort = 8000;

    public const string HubAdapterComponent = "flame-hub-adapter";
    public const string MessageBrokerComponent = "flame-message-broker";
    public const string StorageComponent = "flame-storage-service";
    public const string PodOrchestratorComponent = "flame-po";
    public const string KongNameLabel = "app.kubernetes.io/name";
    public const string KongNameValue = "kong";

    /// <summary>One label selector that lists every candidate Service in a single request.</summary>
    public static string ComponentServicesSelector =>
        $"{WorkloadLabels.Component} in ({HubAdapterComponent},{MessageBrokerComponent},{StorageComponent},{PodOrchestratorComponent})";

    /// <summary>The Kong proxy Service has no component label; it is listed separately.</summary>
    public static string KongServicesSelector => $"{KongNameLabel}={KongNameValue}";

    /// <summary>Pods whose IPs go into allow-lists (message broker and PO).</summary>
    public static string SourcePodsSelector => $"{WorkloadLabels.Component} in ({MessageBrokerComponent},{PodOrchestratorComponent})";

    public static NodeServices ResolveServices(IEnumerable<V1Service> services)
    {
        var list = services.Where(s => s.Metadata.DeletionTimestamp is null).OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList();
        return new NodeServices(
            KongProxy: new UpstreamService(Single(list, s => HasLabel(s, KongNameLabel, KongNameValue) && (s.Metadata.Name ?? "").Contains("proxy", StringComparison.Ordinal), $"{KongNameLabel}={KongNameValue} with 'proxy' in its name"), KongProxyPort),
            Storage: new UpstreamService(Single(list, s => HasLabel(s, WorkloadLabels.Component, StorageComponent), $"component={StorageComponent}"), StoragePort),
            HubAdapter: new UpstreamService(Single(list, s => HasLabel(s, WorkloadLabels.Component, HubAdapterComponent), $"component={HubAdapterComponent}"), HubAdapterPort),
            MessageBroker: new UpstreamService(Single(list, s => HasLabel(s, WorkloadLabels.Component, MessageBrokerComponent), $"component={MessageBrokerComponent}"), MessageBrokerPort),
            PodOrchestrator: new UpstreamService(Single(list, s => HasLabel(s, WorkloadLabels.Component, PodOrchestratorComponent), $"component={PodOrchestratorComponent}"), PodOrchestratorPort));
    }

    /// <summary>IPs of running, not-terminating pods with the component label; none is an error.</summary>
    public static IReadOnlyList<System.Net.IPAddress> PodAddresses(IEnumerable<V1Pod> pods, string component)
    {
        var addresses = pods
            .Where(p => HasLabel(p, WorkloadLabels.Component, component) && p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running")
            .Select(p => System.Net.IPAddress.TryParse(p.Status?.PodIP, out var ip) ? ip : null)
            .OfType<System.Net.IPAddress>()
            .Distinct()
            .OrderBy(ip => ip.ToString(), StringComparer.Ordinal)
            .ToList();
        if (addresses.Count == 0)
        {
            throw new WorkloadDiscoveryException($"No running pod with label component={component} has an IP address yet.");
        }

        return addresses;
    }

    private static string Single(List<V1Service> services, Func<V1Service, bool> match, string description)
    {
        var found = services.Where(match).ToList();
        return found.Count switch
        {
            0 => throw new WorkloadDiscoveryException($"No Service with {description} found in the namespace."),
            > 1 => throw new WorkloadDiscoveryException($"{found.Count} Services with {description} found ({string.Join(", ", found.Select(s => s.Metadata.Name))}); expected exactly one."),
            _ => found[0].Metadata.Name ?? throw new WorkloadDiscoveryException($"The Service with {description} has no name."),
        };
    }

    private static bool HasLabel(IKubernetesObject<V1ObjectMeta> item, string key, string value) =>
        item.Metadata.Labels is { } labels && labels.TryGetValue(key, out var actual) && actual == value;
}

/// <summary>Discovery found no (or no unique) node service or pod address.</summary>
public sealed class WorkloadDiscoveryException : Exception
{
    public WorkloadDiscoveryException(string message)
        : base(message)
    {
    }

    public WorkloadDiscoveryException()
    {
    }

    public WorkloadDiscoveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
