using System.Text.Json;

using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.ThroughPo;

/// <summary>Failing scenarios as the PO's pod-status reading (docs/compatibility.md#decisions) sees them through its own client and models.</summary>
public sealed class PoPodStatusTests
{
    [Fact]
    public async Task Pull_errors_are_waiting_reasons_of_a_pending_pod()
    {
        await using var po = await PoDriver.StartAsync();
        var ct = SandboxHarness.Timeout();
        var manifests = await po.DeployAsync("harbor.sandbox.local/sim/pull-error", ct);

        var pulling = await po.WaitForPodAsync(manifests.Names.Deployment, p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "ErrImagePull", ct);
        pulling.Status!.Phase.Should().Be("Pending");
        pulling.Status.ContainerStatuses![0].Ready.Should().BeFalse();
        pulling.Status.ContainerStatuses[0].State!.Waiting!.Message.Should().Contain("harbor.sandbox.local/sim/pull-error").And.Contain("not found");
        await po.WaitForPodAsync(manifests.Names.Deployment, p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "ImagePullBackOff", ct);
    }

    [Fact]
    public async Task Unschedulable_pods_stay_pending_without_ip_or_container_statuses()
    {
        await using var po = await PoDriver.StartAsync();
        var ct = SandboxHarness.Timeout();
        // Only the objects before nginx: the nginx config needs the analysis pod IP, which never comes.
        var manifests = AnalysisManifests.For(PoDriver.Request(po.Namespace, "harbor.sandbox.local/sim/unschedulable", Guid.NewGuid().ToString("D"), ""), new WorkloadSettings());
        await po.CreateAsync(manifests.PullSecret(), ct);
        await po.CreateAsync(manifests.CredentialsSecret(), ct);
        await po.CreateAsync(manifests.AnalysisDeployment(), ct);

        var pod = await po.WaitForPodAsync(manifests.Names.Deployment, p => p.Status?.Conditions is { Count: > 0 }, ct);

        pod.Status!.Phase.Should().Be("Pending");
        pod.Status.PodIP.Should().BeNull("the PO would wait for this IP forever without a timeout (docs/compatibility.md#b20)");
        pod.Status.ContainerStatuses.Should().BeNull();
        var scheduled = pod.Status.Conditions!.Single(c => c.Type == "PodScheduled");
        scheduled.Status.Should().Be("False");
        scheduled.Reason.Should().Be("Unschedulable");
    }

    [Fact]
    public async Task Oom_killed_analyses_crash_loop_with_the_reason_in_the_last_state()
    {
        await using var po = await PoDriver.StartAsync();
        var ct = SandboxHarness.Timeout();
        var manifests = await po.DeployAsync("harbor.sandbox.local/sim/oom:runtime-1s", ct);

        var pod = await po.WaitForPodAsync(manifests.Names.Deployment, p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "CrashLoopBackOff", ct);

        pod.Status!.Phase.Should().Be("Running");
        var container = pod.Status.ContainerStatuses![0];
        container.Ready.Should().BeFalse();
        container.LastState!.Terminated!.Reason.Should().Be("OOMKilled");
        container.LastState.Terminated.ExitCode.Should().Be(137);
        JsonSerializer.Serialize(pod.Status).Should().Contain("CrashLoopBackOff");
    }
}
