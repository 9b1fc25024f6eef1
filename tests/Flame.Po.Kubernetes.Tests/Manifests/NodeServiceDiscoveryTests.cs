using Flame.Po.Lifecycle.Workloads;

using k8s.Models;

namespace Flame.Po.Kubernetes.Tests.Manifests;

public sealed class NodeServiceDiscoveryTests
{
    private static V1Service Svc(string name, string key, string value) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [key] = value } } };

    private static List<V1Service> AllServices() =>
    [
        Svc("flame-node-kong-proxy", "app.kubernetes.io/name", "kong"),
        Svc("flame-node-kong-admin", "app.kubernetes.io/name", "kong"),
        Svc("flame-storage", "component", "flame-storage-service"),
        Svc("flame-hub-adapter", "component", "flame-hub-adapter"),
        Svc("flame-message-broker", "component", "flame-message-broker"),
        Svc("flame-node-po-service", "component", "flame-po"),
    ];

    [Fact]
    public void Services_are_found_by_label_with_the_contract_ports()
    {
        var services = NodeServiceDiscovery.ResolveServices(AllServices());

        services.KongProxy.ToString().Should().Be("flame-node-kong-proxy:80");
        services.Storage.ToString().Should().Be("flame-storage:8080");
        services.HubAdapter.ToString().Should().Be("flame-hub-adapter:5000");
        services.MessageBroker.ToString().Should().Be("flame-message-broker:80");
        services.PodOrchestrator.ToString().Should().Be("flame-node-po-service:8000");
    }

    [Fact]
    public void A_missing_service_is_a_clear_error_not_a_broken_config()
    {
        var services = AllServices().Where(s => s.Metadata.Name != "flame-storage").ToList();

        var resolve = () => NodeServiceDiscovery.ResolveServices(services);

        resolve.Should().Throw<WorkloadDiscoveryException>().WithMessage("No Service with component=flame-storage-service*");
    }

    [Fact]
    public void A_service_with_an_invalid_name_is_rejected()
    {
        var services = AllServices();
        services[2] = Svc("Flame_Storage", "component", "flame-storage-service");

        var resolve = () => NodeServiceDiscovery.ResolveServices(services);

        resolve.Should().Throw<WorkloadInputException>().WithMessage("*DNS-1123*");
    }

    [Fact]
    public void Pods_without_ip_give_a_clear_error()
    {
        var pods = new[] { new V1Pod { Metadata = new V1ObjectMeta { Name = "mb", Labels = new Dictionary<string, string> { ["component"] = "flame-message-broker" } }, Status = new V1PodStatus { Phase = "Pending" } } };

        var addresses = () => NodeServiceDiscovery.PodAddresses(pods, "flame-message-broker");

        addresses.Should().Throw<WorkloadDiscoveryException>().WithMessage("*component=flame-message-broker*");
    }

    [Fact]
    public void Running_pod_ips_are_returned_sorted_and_distinct()
    {
        static V1Pod P(string ip) => new() { Metadata = new V1ObjectMeta { Name = ip, Labels = new Dictionary<string, string> { ["component"] = "flame-po" } }, Status = new V1PodStatus { Phase = "Running", PodIP = ip } };

        NodeServiceDiscovery.PodAddresses([P("10.0.0.9"), P("10.0.0.2"), P("10.0.0.9")], "flame-po").Select(a => a.ToString()).Should().Equal("10.0.0.2", "10.0.0.9");
    }
}
