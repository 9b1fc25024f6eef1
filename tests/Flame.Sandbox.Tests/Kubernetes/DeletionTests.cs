using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;
using Flame.Testing;

namespace Flame.Sandbox.Tests.Kubernetes;

public sealed class DeletionTests
{
    [Fact]
    public async Task Background_delete_answers_success_status_and_the_gc_removes_the_pods()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1"));
        await h.WaitForPodAsync("app=d1", p => p.S("status", "phase") == "Running");
        var (code, status) = await h.SendAsync(HttpMethod.Delete, $"{h.Deployments}/d1");
        code.Should().Be(200);
        status.S("kind").Should().Be("Status");
        status.S("status").Should().Be("Success");
        status.S("details", "kind").Should().Be("deployments");
        await WaitUntilAsync(() => h.Server.Objects.List("pods", h.Ns, "app=d1").Count == 0);
        (await h.SendAsync(HttpMethod.Delete, $"{h.Deployments}/d1")).Code.Should().Be(404);
    }

    [Fact]
    public async Task Foreground_delete_keeps_the_owner_visible_until_its_dependents_are_gone()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1"));
        await h.WaitForPodAsync("app=d1", p => p.S("status", "phase") == "Running");
        var (code, owner) = await h.SendAsync(HttpMethod.Delete, $"{h.Deployments}/d1", JsonNode.Parse("""{"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Foreground"}"""));
        code.Should().Be(200);
        owner.S("kind").Should().Be("Deployment");
        owner.S("metadata", "deletionTimestamp").Should().NotBeNull();
        owner.S("metadata", "finalizers").Should().Contain("foregroundDeletion");
        await WaitUntilAsync(() => h.Server.Objects.Get("deployments", h.Ns, "d1") is null);
        h.Server.Objects.List("pods", h.Ns, "app=d1").Should().BeEmpty();
    }

    [Fact]
    public async Task Orphan_delete_keeps_the_pods_without_owner_references()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1"));
        await h.WaitForPodAsync("app=d1", p => p.S("status", "phase") == "Running");
        (await h.SendAsync(HttpMethod.Delete, $"{h.Deployments}/d1?propagationPolicy=Orphan")).Code.Should().Be(200);
        var pod = h.Server.Objects.List("pods", h.Ns, "app=d1").Should().ContainSingle().Subject;
        pod["metadata"]!["ownerReferences"].Should().BeNull();
    }

    [Fact]
    public async Task Graceful_pod_delete_returns_the_terminating_pod_and_force_delete_the_removed_pod()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Pods, SandboxHarness.Pod("p1", "sim/stuck"));
        await h.WaitForPodAsync("app=p1", p => p.S("status", "phase") == "Running");
        var (code, pod) = await h.SendAsync(HttpMethod.Delete, $"{h.Pods}/p1");
        code.Should().Be(200);
        pod.S("kind").Should().Be("Pod");
        pod.S("metadata", "deletionTimestamp").Should().NotBeNull();
        pod.S("metadata", "deletionGracePeriodSeconds").Should().Be("30");
        await WaitUntilAsync(() => h.Server.Objects.Get("pods", h.Ns, "p1") is null);

        await h.PostAsync(h.Pods, SandboxHarness.Pod("p2", "sim/stuck"));
        await h.WaitForPodAsync("app=p2", p => p.S("status", "phase") == "Running");
        var (_, forced) = await h.SendAsync(HttpMethod.Delete, $"{h.Pods}/p2?gracePeriodSeconds=0");
        forced.S("kind").Should().Be("Pod", "the pod registry returns the deleted object");
        h.Server.Objects.Get("pods", h.Ns, "p2").Should().BeNull();
    }

    [Fact]
    public async Task Dependents_of_any_owner_are_collected_and_preconditions_are_checked()
    {
        await using var h = await SandboxHarness.StartAsync();
        var (_, owner) = await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("owner"));
        var dependent = SandboxHarness.ConfigMap("dependent");
        dependent["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["name"] = "owner", ["uid"] = owner.S("metadata", "uid") });
        await h.PostAsync(h.ConfigMaps, dependent);
        var (conflict, _) = await h.SendAsync(HttpMethod.Delete, $"{h.ConfigMaps}/owner", JsonNode.Parse("""{"preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}"""));
        conflict.Should().Be(409);
        (await h.SendAsync(HttpMethod.Delete, $"{h.ConfigMaps}/owner")).Code.Should().Be(200);
        await WaitUntilAsync(() => h.Server.Objects.Get("configmaps", h.Ns, "dependent") is null);
    }

    [Fact]
    public async Task Deleting_a_namespace_empties_it_and_creating_in_it_meanwhile_is_forbidden()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync("/api/v1/namespaces", JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"scratch"}}""")!);
        await h.PostAsync("/api/v1/namespaces/scratch/configmaps", SandboxHarness.ConfigMap("c1"));
        var finalizer = SandboxHarness.ConfigMap("held");
        finalizer["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await h.PostAsync("/api/v1/namespaces/scratch/configmaps", finalizer);
        (await h.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/scratch")).Body.S("status", "phase").Should().Be("Terminating");
        var (forbidden, body) = await h.PostAsync("/api/v1/namespaces/scratch/configmaps", SandboxHarness.ConfigMap("c2"));
        forbidden.Should().Be(403);
        body.S("message").Should().Contain("because it is being terminated");

        await h.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/scratch/configmaps/held", JsonNode.Parse("""{"metadata":{"finalizers":null}}"""), "application/merge-patch+json");
        await WaitUntilAsync(() => h.Server.Objects.Get("namespaces", null, "scratch") is null);
    }

    internal static Task WaitUntilAsync(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? what = null) =>
        Wait.UntilAsync(condition, SandboxHarness.Patience, what, TimeSpan.FromMilliseconds(10));
}
