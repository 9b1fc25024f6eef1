using System.Globalization;
using System.Net;

namespace Flame.Po.Lifecycle.Workloads;

/// <summary>A Service the analysis reaches through nginx: a DNS-1123 label host name and a port.</summary>
public sealed record UpstreamService
{
    public UpstreamService(string host, int port)
    {
        Host = WorkloadInputRules.Dns1123Label(host, "upstream service name");
        Port = WorkloadInputRules.Range(port, "upstream service port", 1, 65535);
    }

    public string Host { get; }
    public int Port { get; }

    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>The node services nginx forwards to, as found by discovery (docs/compatibility.md#node-services).</summary>
public sealed record NodeServices(
    UpstreamService KongProxy,
    UpstreamService Storage,
    UpstreamService HubAdapter,
    UpstreamService MessageBroker,
    UpstreamService PodOrchestrator);

/// <summary>Pod IPs that nginx admits (docs/architecture.md#the-nginx-egress-proxy): the analysis for egress routes; broker and PO for <c>/analysis</c>.</summary>
public sealed record NginxSourceAddresses(
    IReadOnlyList<IPAddress> Analysis,
    IReadOnlyList<IPAddress> MessageBroker,
    IReadOnlyList<IPAddress> PodOrchestrator);
