using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.Lifecycle.Workloads.Nginx;

using k8s;
using k8s.Models;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flame.Sandbox.Tests.Support;

/// <summary>
/// Drives a sandbox the way the PO does: its own <see cref="ClusterConnection"/> (the official client) from the
/// sandbox kubeconfig, label-based discovery of node services and pod IPs, and the manifests and nginx config of the
/// workload builders, created in the PO's order (docs/architecture.md#kubernetes-objects). Nothing here talks to the
/// sandbox in-process, so what passes here passes for the PO.
/// </summary>
public sealed class PoDriver : IAsyncDisposable
{
    public const string Registry = "harbor.sandbox.local";

    private PoDriver(SandboxServer server)
    {
        Server = server;
        Cluster = new ClusterConnection(Options.Create(new ClusterSettings { KubeConfig = server.KubeconfigPath }), TimeProvider.System, NullLoggerFactory.Instance);
    }

    public SandboxServer Server { get; }

    public ClusterConnection Cluster { get; }

    public k8s.Kubernetes Client => Cluster.Client;

    public string Namespace => Cluster.Namespace;

    public static async Task<PoDriver> StartAsync(double timeScale = 0.001) =>
        new(await SandboxServer.StartAsync(new SandboxOptions { TimeScale = timeScale }));

    /// <summary>Node services and allow-list sources, retried until the seeded pods run (as the PO would wait).</summary>
    public async Task<(NodeServices Services, IReadOnlyList<System.Net.IPAddress> Broker, IReadOnlyList<System.Net.IPAddress> Po)> DiscoverAsync(CancellationToken ct)
    {
        var services = (await Client.CoreV1.ListNamespacedServiceAsync(Namespace, labelSelector: NodeServiceDiscovery.ComponentServicesSelector, cancellationToken: ct)).Items
            .Concat((await Client.CoreV1.ListNamespacedServiceAsync(Namespace, labelSelector: NodeServiceDiscovery.KongServicesSelector, cancellationToken: ct)).Items);
        var nodeServices = NodeServiceDiscovery.ResolveServices(services);
        while (true)
        {
            var pods = (await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: NodeServiceDiscovery.SourcePodsSelector, cancellationToken: ct)).Items;
            try
            {
                return (nodeServices, NodeServiceDiscovery.PodAddresses(pods, NodeServiceDiscovery.MessageBrokerComponent), NodeServiceDiscovery.PodAddresses(pods, NodeServiceDiscovery.PodOrchestratorComponent));
            }
            catch (WorkloadDiscoveryException)
            {
                await Task.Delay(20, ct);
            }
        }
    }

    public static AnalysisWorkloadRequest Request(string ns, string image, string analysisId, string keycloakToken) => new()
    {
        Namespace = ns,
        AnalysisId = analysisId,
        ProjectId = Guid.NewGuid().ToString("D"),
        RestartCounter = 0,
        Image = image,
        Credentials = new AnalysisCredentials(new RegistryCredentials(Registry, "robot$demo", "demo"), "none_needed", keycloakToken),
    };

    /// <summary>
    /// Creates every object of <see cref="AnalysisManifests.All"/>: those before the nginx ConfigMap first, then —
    /// once the analysis pod has an IP, which the nginx allow-list needs — the rendered config and nginx.
    /// </summary>
    public async Task<AnalysisManifests> DeployAsync(string image, CancellationToken ct)
    {
        var (services, broker, po) = await DiscoverAsync(ct);
        var analysisId = Guid.NewGuid().ToString("D");
        var request = Request(Namespace, image, analysisId, Server.Tokens.Analysis(analysisId, TimeSpan.FromMinutes(10)));
        var manifests = AnalysisManifests.For(request, new WorkloadSettings());
        IKubernetesObject<V1ObjectMeta>[] beforeNginx = [manifests.AnalysisNetworkPolicy(), manifests.NginxNetworkPolicy(), manifests.PullSecret(), manifests.CredentialsSecret(), manifests.AnalysisDeployment(), manifests.AnalysisService()];
        foreach (var item in beforeNginx)
        {
            await CreateAsync(item, ct);
        }

        var analysisIp = await AnalysisPodAddressAsync(manifests.Names, ct);
        var config = NginxConfigRenderer.Render(NginxConfigRequest.For(manifests.Names, request.ProjectId, services, new NginxSourceAddresses([analysisIp], broker, po)));
        var all = manifests.All(config);
        all.Take(beforeNginx.Length).Select(o => (o.Kind, o.Metadata.Name)).Should().Equal(beforeNginx.Select(o => (o.Kind, o.Metadata.Name)), "All() keeps the nginx objects last");
        foreach (var item in all.Skip(beforeNginx.Length))
        {
            await CreateAsync(item, ct);
        }

        return manifests;
    }

    /// <summary>Polls <c>app=D</c> until a pod has an IP (nginx needs it: docs/architecture.md#the-nginx-egress-proxy).</summary>
    public async Task<System.Net.IPAddress> AnalysisPodAddressAsync(WorkloadNames names, CancellationToken ct)
    {
        while (true)
        {
            var pods = await PodsAsync(names.Deployment, ct);
            if (pods.Select(p => p.Status?.PodIP).FirstOrDefault(ip => ip is not null) is { } ip)
            {
                return System.Net.IPAddress.Parse(ip);
            }

            await Task.Delay(20, ct);
        }
    }

    public async Task<IList<V1Pod>> PodsAsync(string app, CancellationToken ct) =>
        (await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: $"app={app}", cancellationToken: ct)).Items;

    /// <summary>Polls the pods of <paramref name="app"/> through the PO client until one satisfies the condition.</summary>
    public async Task<V1Pod> WaitForPodAsync(string app, Func<V1Pod, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            if ((await PodsAsync(app, ct)).FirstOrDefault(condition) is { } pod)
            {
                return pod;
            }

            await Task.Delay(20, ct);
        }
    }

    /// <summary>A plain create, as the PO sends it (an existing name fails the test).</summary>
    public async Task CreateAsync(IKubernetesObject<V1ObjectMeta> item, CancellationToken ct) =>
        (await Cluster.Objects.CreateIfMissingAsync(item, ct)).Should().BeTrue($"{item.Kind} {item.Metadata.Name} did not exist yet");

    public async ValueTask DisposeAsync()
    {
        Cluster.Dispose();
        await Server.DisposeAsync();
    }
}
