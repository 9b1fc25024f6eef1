using System.Net;

using Flame.Po.Lifecycle.Workloads;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>The node services and source pod IPs every nginx config needs, discovered once per tick.</summary>
public sealed record NodeContext(NodeServices? Services, IReadOnlyList<IPAddress> MessageBroker, IReadOnlyList<IPAddress> PodOrchestrator, string? Error)
{
    public bool IsKnown => Services is not null && Error is null;

    public static NodeContext Discover(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        try
        {
            var services = NodeServiceDiscovery.ResolveServices(snapshot.Services);
            var broker = NodeServiceDiscovery.PodAddresses(snapshot.Pods, NodeServiceDiscovery.MessageBrokerComponent);
            var po = NodeServiceDiscovery.PodAddresses(snapshot.Pods, NodeServiceDiscovery.PodOrchestratorComponent);
            return new NodeContext(services, broker, po, null);
        }
        catch (Exception error) when (error is WorkloadDiscoveryException or WorkloadInputException)
        {
            return new NodeContext(null, [], [], error.Message);
        }
    }

    /// <summary>The nginx config of deployment <paramref name="names"/> for an analysis pod at <paramref name="analysisPodIp"/>.</summary>
    public string RenderNginxConfig(WorkloadNames names, string projectId, IPAddress analysisPodIp)
    {
        ArgumentNullException.ThrowIfNull(names);
        var services = Services ?? throw new WorkloadDiscoveryException(Error ?? "Node services are unknown.");
        var request = Workloads.Nginx.NginxConfigRequest.For(names, projectId, services, new NginxSourceAddresses([analysisPodIp], MessageBroker, PodOrchestrator));
        return Workloads.Nginx.NginxConfigRenderer.Render(request);
    }
}
