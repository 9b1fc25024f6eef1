using System.Net;

using Flame.Po.Lifecycle.Workloads;
using Flame.Po.Lifecycle.Workloads.Nginx;

namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>Named, fixed inputs shared by the golden, validator and nginx tests.</summary>
internal static class SampleWorkloads
{
    public static readonly NodeServices DefaultServices = new(
        KongProxy: new UpstreamService("flame-kong-proxy", NodeServiceDiscovery.KongProxyPort),
        Storage: new UpstreamService("flame-storage-service", NodeServiceDiscovery.StoragePort),
        HubAdapter: new UpstreamService("flame-hub-adapter-service", NodeServiceDiscovery.HubAdapterPort),
        MessageBroker: new UpstreamService("flame-message-broker", NodeServiceDiscovery.MessageBrokerPort),
        PodOrchestrator: new UpstreamService("flame-po-service", NodeServiceDiscovery.PodOrchestratorPort));

    public static readonly IReadOnlyList<Case> Cases =
    [
        new("first-run", "3f2b8c1e-6d4a-4e8b-9c7d-1a2b3c4d5e6f", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", 1,
            new NginxSourceAddresses([IPAddress.Parse("10.42.0.17")], [IPAddress.Parse("10.42.0.5")], [IPAddress.Parse("10.42.0.6")])),
        new("tenth-restart", "00000000-0000-4000-8000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffffff", 10,
            new NginxSourceAddresses([IPAddress.Parse("10.42.1.2")], [IPAddress.Parse("10.42.1.3"), IPAddress.Parse("10.42.1.4")], [IPAddress.Parse("10.42.1.5")])),
        new("ipv6-pods", "b5c6d7e8-f9a0-4b1c-8d2e-3f4a5b6c7d8e", "c1d2e3f4-a5b6-4c7d-9e8f-0a1b2c3d4e5f", 3,
            new NginxSourceAddresses([IPAddress.Parse("fd00:10:42::17")], [IPAddress.Parse("fd00:10:42::5")], [IPAddress.Parse("fd00:10:42::6"), IPAddress.Parse("10.42.2.6")])),
    ];

    public sealed record Case(string Name, string AnalysisId, string ProjectId, int RestartCounter, NginxSourceAddresses Sources)
    {
        public WorkloadNames Names => WorkloadNames.For(AnalysisId, RestartCounter);

        public NginxConfigRequest NginxRequest(NodeServices? services = null) =>
            NginxConfigRequest.For(Names, ProjectId, services ?? DefaultServices, Sources);

        public AnalysisWorkloadRequest WorkloadRequest() => new()
        {
            Namespace = "flame-node",
            AnalysisId = AnalysisId,
            ProjectId = ProjectId,
            RestartCounter = RestartCounter,
            Image = $"harbor.privateaim.net/{ProjectId}/analysis:{RestartCounter}",
            Credentials = new AnalysisCredentials(
                new RegistryCredentials("harbor.privateaim.net", "robot$node-1", "registry-password-" + Name),
                "kong-key-" + Name,
                "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.signature-" + Name),
        };

        public override string ToString() => Name;
    }

    /// <summary>Maps every upstream host name of a request to a loopback address (enough for <c>nginx -t</c>).</summary>
    public static IReadOnlyDictionary<string, IPAddress> LoopbackHosts(NginxConfigRequest request) =>
        new[] { request.Analysis, request.Services.KongProxy, request.Services.Storage, request.Services.HubAdapter, request.Services.MessageBroker, request.Services.PodOrchestrator }
            .Select(u => u.Host)
            .Distinct()
            .ToDictionary(h => h, _ => IPAddress.Loopback);
}
