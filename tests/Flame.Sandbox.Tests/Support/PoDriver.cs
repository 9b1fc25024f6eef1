using Flame.Po.Kubernetes.Client;
using Flame.Po.Kubernetes.Configuration;
using Flame.Po.Kubernetes.Models;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.Lifecycle.Workloads.Nginx;

namespace Flame.Sandbox.Tests.Support;

/// <summary>
/// Drives a sandbox the way the PO does: its own <see cref="KubernetesClient"/> from the sandbox kubeconfig,
/// label-based discovery of node services and pod IPs, and the manifests and nginx config of the workload
/// builders, created in the order of po-spec §7.4. Nothing here talks to the sandbox in-process, so what passes
/// here passes for the PO.
/// </summary>
public sealed class PoDriver : IAsyncDisposable
{
    public const string Registry = "harbor.sandbox.local";

    private PoDriver(SandboxServer server)
    {
        Server = server;
        Client = new KubernetesClient(KubeConfigLoader.Load(server.KubeconfigPath));
    }

    public SandboxServer Server { get; }

    public KubernetesClient Client { get; }

    public static async Task<PoDriver> StartAsync(double timeScale = 0.001) =>
        new(await SandboxServer.StartAsync(new SandboxOptions { TimeScale = timeScale }));

    /// <summary>Node services and allow-list sources, retried until the seeded pods run (as the PO would wait).</summary>
    public async Task<(NodeServices Services, IReadOnlyList<System.Net.IPAddress> Broker, IReadOnlyList<System.Net.IPAddress> Po)> DiscoverAsync(CancellationToken ct)
    {
        var services = (await Client.Services().ListAsync(new ListOptions { LabelSelector = NodeServiceDiscovery.ComponentServicesSelector }, ct)).Items
            .Concat((await Client.Services().ListAsync(new ListOptions { LabelSelector = NodeServiceDiscovery.KongServicesSelector }, ct)).Items);
        var nodeServices = NodeServiceDiscovery.ResolveServices(services);
        while (true)
        {
            var pods = (await Client.Pods().ListAsync(new ListOptions { LabelSelector = NodeServiceDiscovery.SourcePodsSelector }, ct)).Items;
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
        var request = Request(Client.DefaultNamespace, image, analysisId, Server.Tokens.Analysis(analysisId, TimeSpan.FromMinutes(10)));
        var manifests = AnalysisManifests.For(request, new WorkloadSettings());
        KubernetesObject[] beforeNginx = [manifests.AnalysisNetworkPolicy(), manifests.NginxNetworkPolicy(), manifests.PullSecret(), manifests.CredentialsSecret(), manifests.AnalysisDeployment(), manifests.AnalysisService()];
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

    /// <summary>Polls <c>app=D</c> until a pod has an IP (po-spec §7.4 step 5).</summary>
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

    public async Task<IReadOnlyList<Pod>> PodsAsync(string app, CancellationToken ct) =>
        (await Client.Pods().ListAsync(new ListOptions { LabelSelector = $"app={app}" }, ct)).Items;

    /// <summary>Polls the pods of <paramref name="app"/> through the PO client until one satisfies the condition.</summary>
    public async Task<Pod> WaitForPodAsync(string app, Func<Pod, bool> condition, CancellationToken ct)
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

    public Task CreateAsync(KubernetesObject item, CancellationToken ct) => item switch
    {
        Deployment d => Client.Deployments().CreateAsync(d, ct),
        Service s => Client.Services().CreateAsync(s, ct),
        ConfigMap c => Client.ConfigMaps().CreateAsync(c, ct),
        Secret s => Client.Secrets().CreateAsync(s, ct),
        NetworkPolicy n => Client.NetworkPolicies().CreateAsync(n, ct),
        _ => throw new ArgumentException($"The PO creates no {item.Kind}.", nameof(item)),
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
