using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Commands;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// Each scenario image of the Sandbox, created through the lifecycle's command and advanced by the real status
/// loop of the whole host against real PostgreSQL, ends in the right state with the right reason and leaves
/// nothing behind in the cluster.
/// </summary>
public sealed class LifecycleScenarioTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_sim_ok_analysis_is_executed_archived_and_cleaned_up()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-300s_progress-3");

        var outcome = await _h.Commands.CreateAsync(command, CancellationToken.None);

        outcome.Kind.Should().Be(CommandOutcomeKind.Accepted);
        outcome.Statuses.Should().Equal(new Dictionary<string, string?> { [command.AnalysisId] = AnalysisStatus.Starting });
        await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);
        var record = await _h.WaitForFinishedAsync(command.AnalysisId);
        record.Status.Should().Be(AnalysisStatus.Executed);
        record.Progress.Should().Be(100);
        record.KeycloakClientDeleted.Should().BeTrue();
        _h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
        var archived = await _h.Host.Services.GetRequiredService<AnalysisArchive>().ListAsync(command.AnalysisId, CancellationToken.None);
        archived.Should().ContainSingle().Which.Status.Should().Be(AnalysisStatus.Executed);
        archived[0].Logs.Analysis.Should().Contain(log => log.Contains("starting analysis", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_repeated_create_is_idempotent_and_a_conflicting_one_is_refused()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-20s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);

        (await _h.Commands.CreateAsync(command, CancellationToken.None)).Kind.Should().Be(CommandOutcomeKind.Accepted);
        (await _h.Commands.CreateAsync(command with { ImageUrl = "harbor.sandbox.local/sim/stuck" }, CancellationToken.None)).Kind.Should().Be(CommandOutcomeKind.Conflict);
    }

    [Fact]
    public async Task A_pull_error_fails_with_the_pull_reason()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/pull-error");
        await _h.Commands.CreateAsync(command, CancellationToken.None);

        var record = await _h.WaitForFinishedAsync(command.AnalysisId);

        record.Status.Should().Be(AnalysisStatus.Failed);
        record.Reason.Should().MatchRegex("^(ErrImagePull|ImagePullBackOff)");
        record.RestartCounter.Should().Be(1);
        _h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
    }

    [Fact]
    public async Task An_out_of_memory_analysis_fails_with_reason_OOMKilled()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/oom");
        await _h.Commands.CreateAsync(command, CancellationToken.None);

        var record = await _h.WaitForFinishedAsync(command.AnalysisId);

        record.Status.Should().Be(AnalysisStatus.Failed);
        record.Reason.Should().StartWith("OOMKilled");
    }

    [Fact]
    public async Task A_stuck_analysis_is_restarted_with_back_off_and_fails_after_ten_deployments()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/stuck");
        await _h.Commands.CreateAsync(command, CancellationToken.None);

        var record = await _h.WaitForFinishedAsync(command.AnalysisId, TimeSpan.FromSeconds(120));

        record.Status.Should().Be(AnalysisStatus.Failed);
        record.RestartCounter.Should().Be(10);
        record.Reason.Should().Contain("[restart 10 of 10]");
        var archived = await _h.Host.Services.GetRequiredService<AnalysisArchive>().ListAsync(command.AnalysisId, CancellationToken.None);
        archived.Select(a => a.DeploymentName).Should().OnlyHaveUniqueItems().And.HaveCount(10);
        _h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
    }

    [Fact]
    public async Task A_stop_while_starting_wins_and_the_analysis_is_never_resurrected()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/slow-start:delay-60s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);

        var stopped = await _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None);

        stopped.Statuses.Should().Equal(new Dictionary<string, string?> { [command.AnalysisId] = AnalysisStatus.Stopped });
        var record = await _h.WaitForFinishedAsync(command.AnalysisId);
        record.Status.Should().Be(AnalysisStatus.Stopped);
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await _h.Repository.GetAsync(command.AnalysisId, CancellationToken.None))!.Record.Status.Should().Be(AnalysisStatus.Stopped);
        _h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_removes_every_object_the_Keycloak_client_and_the_record()
    {
        // Long enough that "executing" cannot be skipped or left before the test sees it.
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-6000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);

        (await _h.Commands.DeleteAsync([command.AnalysisId], CancellationToken.None)).Statuses.Should().ContainKey(command.AnalysisId);

        await Wait.UntilAsync(async () => await _h.Repository.GetAsync(command.AnalysisId, CancellationToken.None) is null, TimeSpan.FromSeconds(30));

        (await _h.Repository.GetAsync(command.AnalysisId, CancellationToken.None)).Should().BeNull();
        _h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
        _h.Sandbox.Keycloak.FindByClientId(command.AnalysisId).Should().BeNull();
    }

    [Fact]
    public async Task A_slow_start_within_the_grace_is_executed_without_restart()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/slow-start:delay-150s_runtime-100s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);

        var record = await _h.WaitForFinishedAsync(command.AnalysisId);

        record.Status.Should().Be(AnalysisStatus.Executed);
        record.RestartCounter.Should().Be(1);
    }

    [Fact]
    public async Task A_slow_start_beyond_the_grace_is_restarted_as_slow()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/slow-start:delay-3000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);

        var record = await _h.WaitForAsync(command.AnalysisId, r => r.RestartCounter >= 2);

        record.Reason.Should().StartWith("slow");
        await _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None);
        (await _h.WaitForFinishedAsync(command.AnalysisId)).Status.Should().Be(AnalysisStatus.Stopped);
    }

    [Fact]
    public async Task A_stop_while_started_wins()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/slow-start:delay-3000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Started);

        await _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None);

        var record = await _h.WaitForFinishedAsync(command.AnalysisId);
        record.Status.Should().Be(AnalysisStatus.Stopped);
        record.Reason.Should().Be(Flame.Po.Lifecycle.Reconciler.StopReasons.StoppedByUser);
        record.KeycloakClientDeleted.Should().BeFalse("stopped analyses keep their Keycloak client until deleted (docs/compatibility.md#keycloak-clients)");
        _h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
    }

    [Fact]
    public async Task Stopping_an_unknown_analysis_is_not_found_and_stopping_twice_keeps_the_status()
    {
        (await _h.Commands.StopAsync([Guid.NewGuid().ToString()], CancellationToken.None)).Kind.Should().Be(CommandOutcomeKind.NotFound);
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-300s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        var executed = await _h.WaitForFinishedAsync(command.AnalysisId);

        var stop = await _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None);

        stop.Statuses[command.AnalysisId].Should().Be(executed.Status, "a terminal status is never overwritten by a later stop (docs/compatibility.md#stop)");
    }
}
