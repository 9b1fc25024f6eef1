using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

using k8s;
using k8s.Models;

namespace Flame.Sandbox.Tests.Kubernetes;

/// <summary>Answers a real apiserver gives and the official C# client relies on.</summary>
public sealed class ConformanceTests
{
    private static SandboxOptions Options => new() { TimeScale = 0.001, SeedNodeServices = false };

    [Fact]
    public async Task Deleting_a_service_answers_200_with_the_deleted_service()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        var (_, created) = await h.PostAsync(h.Services, SandboxHarness.Service("s1", "x"));
        var (code, deleted) = await h.SendAsync(HttpMethod.Delete, $"{h.Services}/s1");
        code.Should().Be(200);
        deleted.S("kind").Should().Be("Service");
        deleted.S("apiVersion").Should().Be("v1");
        deleted.S("metadata", "uid").Should().Be(created.S("metadata", "uid"));
        deleted.S("metadata", "deletionTimestamp").Should().BeNull("a service has no graceful deletion");
        deleted.S("spec", "clusterIP").Should().Be(created.S("spec", "clusterIP"));
        h.Server.Objects.Get("services", h.Ns, "s1").Should().BeNull();

        using var client = OfficialClient.For(h);
        await h.PostAsync(h.Services, SandboxHarness.Service("s2", "x"));
        var service = await client.CoreV1.DeleteNamespacedServiceAsync("s2", h.Ns);
        service.Metadata.Name.Should().Be("s2");
        service.Spec.Ports.Should().ContainSingle().Which.Port.Should().Be(80);
    }

    [Fact]
    public async Task Deleting_a_pod_at_once_answers_the_pod_not_a_status()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        await h.PostAsync(h.Pods, SandboxHarness.Pod("p1", "sim/stuck"));
        await h.WaitForPodAsync("app=p1", p => p.S("status", "phase") == "Running");
        var (code, pod) = await h.SendAsync(HttpMethod.Delete, $"{h.Pods}/p1?gracePeriodSeconds=0");
        code.Should().Be(200);
        pod.S("kind").Should().Be("Pod");
        pod.S("metadata", "name").Should().Be("p1");
        pod.S("metadata", "deletionGracePeriodSeconds").Should().Be("0");
        pod.S("metadata", "deletionTimestamp").Should().NotBeNull();
        h.Server.Objects.Get("pods", h.Ns, "p1").Should().BeNull();

        await h.PostAsync(h.Pods, SandboxHarness.Pod("done", "sim/ok?runtime=0s"));
        await h.WaitForPodAsync("app=done", p => p.S("status", "phase") == "Succeeded");
        (code, pod) = await h.SendAsync(HttpMethod.Delete, $"{h.Pods}/done");
        code.Should().Be(200);
        pod.S("kind").Should().Be("Pod");
        pod.S("status", "phase").Should().Be("Succeeded");
        h.Server.Objects.Get("pods", h.Ns, "done").Should().BeNull("a terminated pod is deleted at once");

        var (dry, _) = await h.PostAsync(h.Pods, SandboxHarness.Pod("kept", "sim/stuck"));
        dry.Should().Be(201);
        (code, pod) = await h.SendAsync(HttpMethod.Delete, $"{h.Pods}/kept?dryRun=All");
        pod.S("kind").Should().Be("Pod");
        h.Server.Objects.Get("pods", h.Ns, "kept").Should().NotBeNull();
    }

    [Fact]
    public async Task The_official_client_deletes_pods_gracefully_and_at_once()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        using var client = OfficialClient.For(h);
        foreach (var name in new[] { "graceful", "forced" })
        {
            await h.PostAsync(h.Pods, SandboxHarness.Pod(name, "sim/stuck"));
            await h.WaitForPodAsync($"app={name}", p => p.S("status", "phase") == "Running");
        }

        var terminating = await client.CoreV1.DeleteNamespacedPodAsync("graceful", h.Ns);
        terminating.Metadata.DeletionTimestamp.Should().NotBeNull();
        terminating.Metadata.DeletionGracePeriodSeconds.Should().Be(30);

        var forced = await client.CoreV1.DeleteNamespacedPodAsync("forced", h.Ns, gracePeriodSeconds: 0);
        forced.Metadata.Name.Should().Be("forced");
        forced.Metadata.DeletionGracePeriodSeconds.Should().Be(0);

        var status = await DeleteDeploymentAsync(h, client);
        status.Status.Should().Be("Success", "deployments have no ReturnDeletedObject: the apiserver answers a Status");
    }

    private static async Task<V1Status> DeleteDeploymentAsync(SandboxHarness h, k8s.Kubernetes client)
    {
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1"));
        return await client.AppsV1.DeleteNamespacedDeploymentAsync("d1", h.Ns);
    }
}
