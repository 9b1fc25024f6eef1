using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Commands;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// Commands racing each other and two replicas ticking at once end consistent: one deployment at most, the
/// last user command decides, restarts are counted once.
/// </summary>
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Fifty_parallel_create_stop_delete_calls_on_one_analysis_end_consistent()
    {
        await using var monitor = new DeploymentMonitor(_h.Sandbox);
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-3000s");
        var random = new Random(7);
        var calls = Enumerable.Range(0, 50).Select(i => (i % 3, random.Next(3)) switch
        {
            (0, _) or (_, 0) => (Func<Task<CommandOutcome>>)(() => _h.Commands.CreateAsync(command, CancellationToken.None)),
            (1, _) => () => _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None),
            _ => () => _h.Commands.DeleteAsync([command.AnalysisId], CancellationToken.None),
        }).ToList();

        var outcomes = await Task.WhenAll(calls.Select(call => Task.Run(call)));

        outcomes.Should().OnlyContain(o => o.Kind == CommandOutcomeKind.Accepted || o.Kind == CommandOutcomeKind.NotFound || o.Kind == CommandOutcomeKind.Conflict);
        await QuiesceAsync(command.AnalysisId);
        monitor.MaxConcurrentDeployments(command.AnalysisId).Should().BeLessThanOrEqualTo(1);

        // The last command decides: a final stop leaves a stopped (or already terminal) analysis with nothing running.
        var created = await _h.Commands.CreateAsync(command, CancellationToken.None);
        created.Kind.Should().BeOneOf(CommandOutcomeKind.Accepted, CommandOutcomeKind.Conflict);
        await _h.Commands.DeleteAsync([command.AnalysisId], CancellationToken.None);
        await QuiesceAsync(command.AnalysisId);
        (await _h.Repository.GetAsync(command.AnalysisId, CancellationToken.None)).Should().BeNull();
        _h.ObjectsOf(command.AnalysisId).Should().BeEmpty();
        monitor.MaxConcurrentDeployments(command.AnalysisId).Should().BeLessThanOrEqualTo(1);
    }

    [Fact]
    public async Task Two_replicas_ticking_at_once_never_double_act()
    {
        await _h.StartReplicaAsync();
        await using var monitor = new DeploymentMonitor(_h.Sandbox);
        var stuck = LifecycleHarness.Create("harbor.sandbox.local/sim/stuck");
        var ok = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-300s");
        await _h.Commands.CreateAsync(stuck, CancellationToken.None);
        await _h.Commands.CreateAsync(ok, CancellationToken.None);

        var failed = await _h.WaitForFinishedAsync(stuck.AnalysisId, TimeSpan.FromSeconds(120));
        var executed = await _h.WaitForFinishedAsync(ok.AnalysisId);

        failed.Status.Should().Be(AnalysisStatus.Failed);
        failed.RestartCounter.Should().Be(10);
        executed.Status.Should().Be(AnalysisStatus.Executed, executed.Reason);
        var archive = _h.Host.Services.GetRequiredService<AnalysisArchive>();
        (await archive.ListAsync(stuck.AnalysisId, CancellationToken.None)).Should().HaveCount(10);
        monitor.MaxConcurrentDeployments(stuck.AnalysisId).Should().Be(1);
        monitor.MaxConcurrentDeployments(ok.AnalysisId).Should().Be(1);
        failed.Sequence.Should().BeGreaterThan(0);

        // Finishing and publishing are two writes; a finished record keeps being visited until its events are out.
        var published = await _h.WaitForAsync(stuck.AnalysisId, r => r.PendingEvents.Count == 0, TimeSpan.FromSeconds(30));
        published.Sequence.Should().Be(failed.Sequence);
        (await _h.Repository.ListAsync(activeOnly: true, CancellationToken.None)).Should().NotContain(s => s.Record.AnalysisId == stuck.AnalysisId);
    }

    /// <summary>Waits until the analysis is gone or finished and its objects are deleted.</summary>
    private Task QuiesceAsync(string analysisId) =>
        Wait.UntilAsync(
            async () =>
            {
                var record = (await _h.Repository.GetAsync(analysisId, CancellationToken.None))?.Record;
                return record is null
                    ? _h.ObjectsOf(analysisId).Count == 0
                    : (record.Phase == LifecyclePhase.Finished && record.Desired != DesiredState.Deleted && _h.ObjectsOf(analysisId).Count == 0)
                      || (record.Desired == DesiredState.Running && record.Status == AnalysisStatus.Executing);
            },
            TimeSpan.FromSeconds(60),
            $"analysis {analysisId} to settle");
}
