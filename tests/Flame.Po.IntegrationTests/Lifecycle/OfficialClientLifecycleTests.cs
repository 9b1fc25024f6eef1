using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Workloads;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// Whole analyses through the official Kubernetes client (the only one the lifecycle has): one runs from create
/// to executed, is archived and deleted; another is restarted, its first deployment's objects replaced by the
/// second's, then stopped and deleted. Every Kubernetes request of both goes through <c>k8s.Kubernetes</c> and
/// the resilience handler against the Sandbox API server.
/// </summary>
public sealed class OfficialClientLifecycleTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task An_analysis_runs_to_executed_is_archived_and_deleted_and_a_stuck_one_is_restarted()
    {
        _h.Host.Services.GetRequiredService<ClusterConnection>().Client.Should().BeOfType<k8s.Kubernetes>();
        var ok = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-300s_progress-3");
        var slow = LifecycleHarness.Create("harbor.sandbox.local/sim/slow-start:delay-3000s");
        await _h.Commands.CreateAsync(ok, CancellationToken.None);
        await _h.Commands.CreateAsync(slow, CancellationToken.None);

        await _h.WaitForAsync(ok.AnalysisId, r => r.Status is AnalysisStatus.Executing or AnalysisStatus.Executed);
        var executed = await _h.WaitForFinishedAsync(ok.AnalysisId);
        executed.Status.Should().Be(AnalysisStatus.Executed);
        _h.ObjectsOf(ok.AnalysisId).Should().BeEmpty("a finished analysis keeps no workload");
        var archived = await _h.Host.Services.GetRequiredService<AnalysisArchive>().ListAsync(ok.AnalysisId, CancellationToken.None);
        archived.Should().ContainSingle().Which.Logs.Analysis.Should().Contain(log => log.Contains("starting analysis", StringComparison.Ordinal));
        await _h.Commands.DeleteAsync([ok.AnalysisId], CancellationToken.None);
        await Wait.UntilAsync(async () => await _h.Repository.GetAsync(ok.AnalysisId, CancellationToken.None) is null, TimeSpan.FromSeconds(60));
        _h.Sandbox.Objects.Get("secrets", _h.Sandbox.Namespace, WorkloadNames.CredentialsSecretOf(ok.AnalysisId)).Should().BeNull();

        var restarted = await _h.WaitForAsync(slow.AnalysisId, r => r.RestartCounter >= 2 && r.Status == AnalysisStatus.Started);
        restarted.Reason.Should().StartWith("slow");
        var first = WorkloadNames.For(slow.AnalysisId, 1).Deployment;
        await Wait.UntilAsync(() => Task.FromResult(_h.Sandbox.Objects.Get("deployments", _h.Sandbox.Namespace, first) is null), TimeSpan.FromSeconds(60));
        _h.Sandbox.Objects.Get("deployments", _h.Sandbox.Namespace, restarted.DeploymentName).Should().NotBeNull();
        await _h.Commands.StopAsync([slow.AnalysisId], CancellationToken.None);
        (await _h.WaitForFinishedAsync(slow.AnalysisId)).Status.Should().Be(AnalysisStatus.Stopped);
        await _h.Commands.DeleteAsync([slow.AnalysisId], CancellationToken.None);
        await Wait.UntilAsync(async () => await _h.Repository.GetAsync(slow.AnalysisId, CancellationToken.None) is null, TimeSpan.FromSeconds(60));
        _h.ObjectsOf(slow.AnalysisId).Should().BeEmpty();
        (await _h.UntrackedObjectsAsync()).Should().BeEmpty();
    }
}
