using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// Analyses that accept connections but never answer healthz (<c>sim/hang</c>) cost one HEALTHZ_TIMEOUT per tick,
/// not one per RECONCILE_PARALLELISM of them: the tick stays bounded when 10 % of the analyses are silent.
/// </summary>
public sealed class ProbeConcurrencyTests : IAsyncLifetime
{
    private const int Hanging = 12;
    private const int Answering = 2;
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync(
        new Dictionary<string, string?>
        {
            ["STARTUP_GRACE"] = "3600",
            ["HEALTHZ_TIMEOUT"] = "1",
            ["RECONCILE_PARALLELISM"] = "2",
            ["PROBE_PARALLELISM"] = "64",
        },
        timeScale: 1,
        commandsOnly: true); // the test drives the ticks itself, so no background tick probes alongside

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Analyses_that_never_answer_hold_up_a_tick_for_one_probe_timeout_only()
    {
        var reconciler = _h.Host.Services.GetRequiredService<AnalysisReconciler>();
        var ids = new List<string>();
        foreach (var image in Enumerable.Repeat("harbor.sandbox.local/sim/hang:latest", Hanging).Concat(Enumerable.Repeat("harbor.sandbox.local/sim/ok:runtime-3000s", Answering)))
        {
            var command = LifecycleHarness.Create(image);
            await _h.Commands.CreateAsync(command, CancellationToken.None);
            ids.Add(command.AnalysisId);
        }

        await TickUntilAsync(reconciler, records =>
            records.Count(r => r.Status == AnalysisStatus.Started) == Hanging
            && records.Count(r => r.Status == AnalysisStatus.Executing) == Answering);

        var tick = await reconciler.ReconcileAllAsync(CancellationToken.None);

        tick.Probed.Should().Be(Hanging + Answering);
        // Twelve hanging probes two at a time (the old bound) would take six timeouts.
        tick.Duration.Should().BeLessThan(TimeSpan.FromSeconds(5), "the hanging probes run side by side, each bounded by HEALTHZ_TIMEOUT");
        var records = await Records();
        records.Count(r => r.Status == AnalysisStatus.Executing).Should().Be(Answering, "answering analyses are decided on in the same tick");

        await _h.Commands.StopAsync(ids, CancellationToken.None);
        await TickUntilAsync(reconciler, all => all.All(r => r.Phase == LifecyclePhase.Finished));
    }

    private async Task TickUntilAsync(AnalysisReconciler reconciler, Func<IReadOnlyList<AnalysisRecord>, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!condition(await Records()))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the analyses reach the expected statuses");
            await reconciler.ReconcileAllAsync(CancellationToken.None);
        }
    }

    private async Task<IReadOnlyList<AnalysisRecord>> Records() =>
        (await _h.Repository.ListAsync(activeOnly: false, CancellationToken.None)).Select(s => s.Record).ToList();
}
