using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox.Tests.Support;

using k8s;

namespace Flame.Sandbox.Tests.ThroughPo;

/// <summary>The seeded node services are found by the PO's own discovery, through the PO's own client.</summary>
public sealed class NodeServiceSeedTests
{
    [Fact]
    public async Task Discovery_finds_every_node_service_and_the_broker_and_po_pod_ips()
    {
        await using var po = await PoDriver.StartAsync();

        var (services, broker, self) = await po.DiscoverAsync(SandboxHarness.Timeout());

        services.Should().Be(new NodeServices(
            new UpstreamService("flame-node-kong-proxy", 80),
            new UpstreamService("flame-node-storage-service", 8080),
            new UpstreamService("flame-node-hub-adapter-service", 5000),
            new UpstreamService("flame-node-message-broker", 80),
            new UpstreamService("flame-node-po-service", 8000)));
        broker.Should().ContainSingle().Which.ToString().Should().StartWith("10.244.");
        self.Should().ContainSingle().Which.ToString().Should().StartWith("10.244.");
        broker.Should().NotIntersectWith(self);
    }

    [Fact]
    public async Task The_po_pod_looks_like_the_one_the_helm_chart_runs()
    {
        await using var po = await PoDriver.StartAsync();

        var pods = (await po.Client.CoreV1.ListNamespacedPodAsync(po.Namespace, labelSelector: "component=flame-po", cancellationToken: SandboxHarness.Timeout())).Items;

        var pod = pods.Should().ContainSingle().Subject;
        pod.Metadata.Name.Should().StartWith("flame-node-po-");
        pod.Metadata.Labels.Should().ContainKeys("version", "deployment-id");
        pod.Spec!.ServiceAccountName.Should().Be("flame-node-po-sa");
        pod.Spec.Containers.Should().ContainSingle().Which.Ports.Should().ContainSingle().Which.ContainerPort.Should().Be(8000);
    }

    [Fact]
    public async Task Without_seeding_discovery_names_what_is_missing()
    {
        await using var h = await SandboxHarness.StartAsync(new SandboxOptions { TimeScale = 0.001, SeedNodeServices = false });

        h.Server.Objects.List("services", h.Ns).Should().BeEmpty();
        h.Server.Objects.List("pods", h.Ns).Should().BeEmpty();
        var resolve = () => NodeServiceDiscovery.ResolveServices([]);
        resolve.Should().Throw<WorkloadDiscoveryException>().WithMessage("*kong*proxy*");
    }
}
