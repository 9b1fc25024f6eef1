using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.Faults;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Reconciler;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// Crash safety (every step resumable, docs/architecture.md#the-lifecycle-of-an-analysis): for every named fault
/// point, the reconciling process is killed (SIGKILL, no shutdown) exactly there; a fresh process then finishes the
/// job from what was persisted. The analysis must end in the right state, with no orphaned object and never two
/// deployments at once. Commands are issued by an in-process host that never reconciles, so only the killable process
/// acts.
/// </summary>
public sealed class CrashTests : IClassFixture<CrashTests.Fixture>
{
    private readonly Fixture _fixture;

    public CrashTests(Fixture fixture) => _fixture = fixture;

    public static TheoryData<string> RunPathFaultPoints() =>
    [
        LifecycleFaultPoints.BeforeRefreshToken, LifecycleFaultPoints.AfterRefreshToken, LifecycleFaultPoints.BeforeCreateObjects, LifecycleFaultPoints.CreatedAnalysisPolicy, LifecycleFaultPoints.CreatedNginxPolicy,
        LifecycleFaultPoints.CreatedAnalysisDeployment, LifecycleFaultPoints.CreatedAnalysisService, LifecycleFaultPoints.CreatedNginxConfigMap, LifecycleFaultPoints.CreatedNginxDeployment,
        LifecycleFaultPoints.AfterCreateObjects, LifecycleFaultPoints.BeforeSetStatus, LifecycleFaultPoints.AfterSetStatus, LifecycleFaultPoints.BeforeTerminate, LifecycleFaultPoints.AfterTerminate,
        LifecycleFaultPoints.BeforeArchiveDeployment, LifecycleFaultPoints.AfterArchiveDeployment, LifecycleFaultPoints.BeforeDeleteAllObjects, LifecycleFaultPoints.AfterDeleteAllObjects,
        LifecycleFaultPoints.BeforeDeleteKeycloakClient, LifecycleFaultPoints.AfterDeleteKeycloakClient, LifecycleFaultPoints.BeforeComplete,
    ];

    public static TheoryData<string> RestartPathFaultPoints() =>
    [
        LifecycleFaultPoints.BeforeBeginRestart, LifecycleFaultPoints.AfterBeginRestart, LifecycleFaultPoints.BeforeDeleteDeploymentObjects, LifecycleFaultPoints.AfterDeleteDeploymentObjects,
        LifecycleFaultPoints.BeforeRedeploy, LifecycleFaultPoints.AfterRedeploy,
    ];

    [Theory]
    [MemberData(nameof(RunPathFaultPoints))]
    public async Task A_run_killed_at_any_step_still_ends_executed_and_clean(string faultPoint)
    {
        var h = _fixture.Harness;
        await using var monitor = new DeploymentMonitor(h.Sandbox);
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-200s_progress-2");
        (await h.Commands.CreateAsync(command, CancellationToken.None)).Kind.Should().Be(CommandOutcomeKind.Accepted);

        await KillAtAsync(faultPoint);
        var record = await RecoverAsync(command.AnalysisId, r => r.Phase == LifecyclePhase.Finished);

        record.Status.Should().Be(AnalysisStatus.Executed, record.Reason);
        record.KeycloakClientDeleted.Should().BeTrue();
        h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
        monitor.MaxConcurrentDeployments(command.AnalysisId).Should().Be(1);
        (await h.Host.Services.GetRequiredService<AnalysisArchive>().ListAsync(command.AnalysisId, CancellationToken.None)).Should().ContainSingle();
        (await h.UntrackedObjectsAsync()).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(RestartPathFaultPoints))]
    public async Task A_restart_killed_at_any_step_restarts_once_and_fails_at_the_budget(string faultPoint)
    {
        var h = _fixture.Harness;
        await using var monitor = new DeploymentMonitor(h.Sandbox);
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/stuck") with { RestartCounter = 8 };
        await h.Commands.CreateAsync(command, CancellationToken.None);

        await KillAtAsync(faultPoint);
        var record = await RecoverAsync(command.AnalysisId, r => r.Phase == LifecyclePhase.Finished);

        record.Status.Should().Be(AnalysisStatus.Failed);
        record.RestartCounter.Should().Be(10);
        record.Reason.Should().Contain("[restart 10 of 10]");
        h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
        monitor.MaxConcurrentDeployments(command.AnalysisId).Should().Be(1);
        (await h.Host.Services.GetRequiredService<AnalysisArchive>().ListAsync(command.AnalysisId, CancellationToken.None))
            .Select(a => a.DeploymentName).Should().Equal($"analysis-{command.AnalysisId}-9", $"analysis-{command.AnalysisId}-10");
    }

    [Theory]
    [InlineData(LifecycleFaultPoints.BeforeArchiveDeployment)]
    [InlineData(LifecycleFaultPoints.BeforeDeleteAllObjects)]
    [InlineData(LifecycleFaultPoints.BeforeDeleteKeycloakClient)]
    [InlineData(LifecycleFaultPoints.BeforeForget)]
    public async Task A_delete_killed_at_any_step_still_removes_everything(string faultPoint)
    {
        var h = _fixture.Harness;
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-6000s");
        await h.Commands.CreateAsync(command, CancellationToken.None);
        await RecoverAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);

        await h.Commands.DeleteAsync([command.AnalysisId], CancellationToken.None);
        await KillAtAsync(faultPoint);
        await RecoverAsync(command.AnalysisId, _ => false, gone: true);

        h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
        h.Sandbox.Keycloak.FindByClientId(command.AnalysisId).Should().BeNull();
    }

    /// <summary>Runs a reconciling process armed with the fault point and expects it to die there.</summary>
    private async Task KillAtAsync(string faultPoint)
    {
        await using var process = HostProcess.Start(["--target", "all", "--urls", "http://127.0.0.1:0"], Environment(faultPoint));
        int exitCode;
        try
        {
            exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process never reached {faultPoint}; output:\n{process.Output}");
        }

        exitCode.Should().Be(137, $"the process must be killed at {faultPoint}; output:\n{process.Output}");
    }

    /// <summary>A fresh process without fault points until the record satisfies the condition (or is gone).</summary>
    private async Task<AnalysisRecord> RecoverAsync(string analysisId, Func<AnalysisRecord, bool> done, bool gone = false)
    {
        await using var process = HostProcess.Start(["--target", "all", "--urls", "http://127.0.0.1:0"], Environment(null));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        AnalysisRecord? record = null;
        while (DateTime.UtcNow < deadline)
        {
            record = (await _fixture.Harness.Repository.GetAsync(analysisId, CancellationToken.None))?.Record;
            if ((gone && record is null) || (record is not null && done(record)))
            {
                await process.StopAsync();
                return record!;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No recovery for {analysisId}: {record?.Status} {record?.Phase} {record?.Reason}\n{process.Output}");
    }

    private Dictionary<string, string?> Environment(string? faultPoint) =>
        new(_fixture.Harness.Settings) { [FaultPoints.Variable] = faultPoint, ["LOG_LEVEL"] = "warning" };

    public sealed class Fixture : IAsyncLifetime
    {
        public LifecycleHarness Harness { get; private set; } = null!;

        public async Task InitializeAsync() => Harness = await LifecycleHarness.StartAsync(commandsOnly: true);

        public async Task DisposeAsync() => await Harness.DisposeAsync();
    }
}
