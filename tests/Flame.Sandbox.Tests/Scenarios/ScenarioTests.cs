using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Scenarios;

public sealed class ScenarioTests
{
    private static bool HasCondition(JsonObject pod, string type, string status) =>
        pod["status"]?["conditions"]?.AsArray().Any(c => c.S("type") == type && c.S("status") == status) == true;

    [Fact]
    public async Task Ok_deployment_gets_a_pod_that_turns_running_with_an_ip_and_deployment_status()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("analysis-1-0"));
        var pod = await h.WaitForPodAsync("app=analysis-1-0", p => p.S("status", "phase") == "Running");
        pod.S("metadata", "name").Should().MatchRegex("^analysis-1-0-[a-z0-9]{10}-[a-z0-9]{5}$");
        pod.S("metadata", "labels", "component").Should().Be("flame-analysis");
        pod.S("metadata", "ownerReferences").Should().Contain("\"kind\":\"Deployment\"").And.Contain("\"controller\":true");
        pod.S("status", "podIP").Should().StartWith("10.244.");
        pod.S("spec", "nodeName").Should().Be("sandbox-node");
        HasCondition(pod, "Ready", "True").Should().BeTrue();
        SandboxHarness.ContainerState(pod, "running", "startedAt").Should().NotBeNull();

        var deployment = await h.Server.Objects.WaitForAsync("deployments", h.Ns, "analysis-1-0", d => d.S("status", "readyReplicas") == "1", SandboxHarness.Timeout());
        deployment.S("status", "availableReplicas").Should().Be("1");
        deployment.S("status", "observedGeneration").Should().Be("1");
        deployment.S("status", "conditions").Should().Contain("MinimumReplicasAvailable");
    }

    [Fact]
    public async Task Pod_ips_are_distinct()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("multi", "nginx:1.29.8", replicas: 3));
        await DeletionTestsAccess.WaitUntilAsync(() => h.Server.Objects.List("pods", h.Ns, "app=multi").Count(p => p.S("status", "phase") == "Running") == 3);
        h.Server.Objects.List("pods", h.Ns, "app=multi").Select(p => p.S("status", "podIP")).Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [InlineData("sim/ok?runtime=2s", "Succeeded", "Completed", 0)]
    [InlineData("sim/fails?runtime=2s", "Failed", "Error", 1)]
    [InlineData("sim/oom", "Failed", "OOMKilled", 137)]
    public async Task Bare_pods_with_restart_policy_never_end_in_a_terminal_phase(string image, string phase, string reason, int exitCode)
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Pods, SandboxHarness.Pod("p1", image));
        var pod = await h.WaitForPodAsync("app=p1", p => p.S("status", "phase") == phase);
        SandboxHarness.ContainerState(pod, "terminated", "reason").Should().Be(reason);
        pod["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!["exitCode"]!.GetValue<int>().Should().Be(exitCode);
    }

    [Theory]
    [InlineData("sim/crashloop", "Error")]
    [InlineData("sim/oom", "OOMKilled")]
    [InlineData("sim/fails?runtime=1s", "Error")]
    public async Task Exiting_containers_of_deployments_go_into_crash_loop_back_off(string image, string lastReason)
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1", image));
        var pod = await h.WaitForPodAsync("app=d1", p => SandboxHarness.ContainerState(p, "waiting", "reason") == "CrashLoopBackOff");
        pod.S("status", "phase").Should().Be("Running");
        pod.S("status", "containerStatuses").Should().Contain($"\"reason\":\"{lastReason}\"");
        HasCondition(pod, "Ready", "False").Should().BeTrue();
        await h.WaitForPodAsync("app=d1", p => p["status"]!["containerStatuses"]![0]!["restartCount"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task Pull_errors_alternate_err_image_pull_and_image_pull_back_off_while_pending()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1", "sim/pull-error"));
        var pulling = await h.WaitForPodAsync("app=d1", p => SandboxHarness.ContainerState(p, "waiting", "reason") == "ErrImagePull");
        pulling.S("status", "phase").Should().Be("Pending");
        var backOff = await h.WaitForPodAsync("app=d1", p => SandboxHarness.ContainerState(p, "waiting", "reason") == "ImagePullBackOff");
        backOff.S("status", "phase").Should().Be("Pending");
        backOff.S("status", "podIP").Should().NotBeNull("the sandbox gets its IP before the image is pulled");
    }

    [Fact]
    public async Task Unschedulable_pods_stay_pending_without_a_node()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1", "sim/unschedulable"));
        var pod = await h.WaitForPodAsync("app=d1", p => HasCondition(p, "PodScheduled", "False"));
        pod.S("status", "phase").Should().Be("Pending");
        pod.S("status", "conditions").Should().Contain("\"reason\":\"Unschedulable\"");
        pod["spec"]!["nodeName"].Should().BeNull();
    }

    [Fact]
    public async Task Missing_secret_keeps_the_container_in_create_container_config_error_until_it_exists()
    {
        await using var h = await SandboxHarness.StartAsync();
        var deployment = SandboxHarness.Deployment("d1");
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Add(JsonNode.Parse("""{"name":"KEYCLOAK_TOKEN","valueFrom":{"secretKeyRef":{"name":"d1-credentials","key":"token"}}}"""));
        await h.PostAsync(h.Deployments, deployment);
        var pod = await h.WaitForPodAsync("app=d1", p => SandboxHarness.ContainerState(p, "waiting", "reason") == "CreateContainerConfigError");
        SandboxHarness.ContainerState(pod, "waiting", "message").Should().Be("secret \"d1-credentials\" not found");
        await h.PostAsync(h.Secrets, JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"d1-credentials"},"stringData":{"token":"t"}}""")!);
        await h.WaitForPodAsync("app=d1", p => p.S("status", "phase") == "Running");
    }

    [Fact]
    public async Task Active_deadline_fails_the_pod_with_deadline_exceeded()
    {
        await using var h = await SandboxHarness.StartAsync();
        var pod = SandboxHarness.Pod("p1", "sim/stuck");
        pod["spec"]!["activeDeadlineSeconds"] = 5;
        await h.PostAsync(h.Pods, pod);
        var failed = await h.WaitForPodAsync("app=p1", p => p.S("status", "phase") == "Failed");
        failed.S("status", "reason").Should().Be("DeadlineExceeded");
    }
}

internal static class DeletionTestsAccess
{
    public static Task WaitUntilAsync(Func<bool> condition) => Kubernetes.DeletionTests.WaitUntilAsync(condition);
}
