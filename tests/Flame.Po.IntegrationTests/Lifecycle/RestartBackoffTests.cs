using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>A long restart back-off, so a stop can arrive while the analysis waits for its next deployment.</summary>
public sealed class RestartBackoffTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync(new Dictionary<string, string?>
    {
        ["RESTART_BACKOFF_BASE"] = "60",
        ["RESTART_BACKOFF_MAX"] = "60",
    });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_stop_during_the_restart_back_off_cancels_the_restart_and_is_never_resurrected()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/stuck");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        var restarting = await _h.WaitForAsync(command.AnalysisId, r => r.Phase == LifecyclePhase.Restarting && r.ArchivedDeployment == r.DeploymentName);
        restarting.RestartAfter.Should().BeAfter(DateTimeOffset.UtcNow.AddSeconds(30));

        await _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None);

        var record = await _h.WaitForFinishedAsync(command.AnalysisId);
        record.Status.Should().Be(AnalysisStatus.Stopped);
        record.RestartCounter.Should().Be(1, "the pending restart was cancelled");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var later = (await _h.Repository.GetAsync(command.AnalysisId, CancellationToken.None))!.Record;
        later.Status.Should().Be(AnalysisStatus.Stopped);
        later.RestartCounter.Should().Be(1);
        _h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
    }
}
