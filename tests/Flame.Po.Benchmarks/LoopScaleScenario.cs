using System.Diagnostics;
using System.Globalization;

using Flame.Po.Lifecycle.Reconciler;

namespace Flame.Po.Benchmarks;

/// <summary>
/// <c>loop-scale</c>: N running analyses (by default 10 % of them never answering healthz, see
/// <see cref="LoopScaleOptions"/>), then status-loop ticks driven one at a time. Reports Kubernetes requests per tick (from the Sandbox's counters; list requests must be constant
/// in N) and tick wall time.
/// </summary>
public static class LoopScaleScenario
{
    private const int MeasuredTicks = 5;

    public static async Task<IReadOnlyList<LoopScaleResult>> RunAsync(LoopScaleOptions options, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<LoopScaleResult>();
        foreach (var size in options.Sizes)
        {
            results.Add(await RunOneAsync(size, options, repositoryRoot));
            Console.WriteLine(results[^1]);
        }

        return results;
    }

    private static async Task<LoopScaleResult> RunOneAsync(int size, LoopScaleOptions options, string repositoryRoot)
    {
        await using var host = await BenchmarkHost.StartAsync(repositoryRoot, RunningAnalyses.HostSettings);
        var sandbox = host.Sandbox;
        var reconciler = host.Get<AnalysisReconciler>();
        var silent = size * options.SilentPercent / 100;
        var (_, setupSeconds) = await RunningAnalyses.StartAsync(host, size, silent, options.SilentImage);

        var ticks = new List<TickMeasurement>();
        for (var tick = 0; tick < MeasuredTicks; tick++)
        {
            sandbox.Counters.Reset();
            var watch = Stopwatch.StartNew();
            var report = await reconciler.ReconcileAllAsync(CancellationToken.None);
            watch.Stop();
            var counts = sandbox.Counters.Snapshot().Where(kv => kv.Key.StartsWith("k8s:", StringComparison.Ordinal)).ToList();
            ticks.Add(new TickMeasurement(
                watch.Elapsed.TotalMilliseconds,
                counts.Where(kv => kv.Key.StartsWith("k8s:list:", StringComparison.Ordinal)).Sum(kv => kv.Value),
                counts.Where(kv => kv.Key.StartsWith("k8s:proxy:", StringComparison.Ordinal)).Sum(kv => kv.Value),
                counts.Sum(kv => kv.Value),
                report.Steps,
                counts.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)));
        }

        return new LoopScaleResult(size, silent, setupSeconds, ticks);
    }
}

/// <param name="Requests">Kubernetes requests of the tick by route key (e.g. <c>k8s:list:pods</c>).</param>
public sealed record TickMeasurement(double Milliseconds, long ListRequests, long ProxyRequests, long AllKubernetesRequests, int Steps, IReadOnlyDictionary<string, long> Requests);

public sealed record LoopScaleResult(int Analyses, int Silent, double SetupSeconds, IReadOnlyList<TickMeasurement> Ticks)
{
    public double MedianTickMilliseconds => Ticks.Select(t => t.Milliseconds).Order().ElementAt(Ticks.Count / 2);

    /// <summary>The most requests of each route key in any measured tick, e.g. <c>list:pods 1, proxy:services 1000</c>.</summary>
    public string RequestsByRoute() => string.Join(", ", Ticks
        .SelectMany(t => t.Requests)
        .GroupBy(kv => kv.Key, StringComparer.Ordinal)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key["k8s:".Length..]} {g.Max(kv => kv.Value)}")));

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {Analyses,6} | {Silent,6} | {Ticks[0].ListRequests,5} | {Ticks[0].ProxyRequests,6} | {Ticks.Max(t => t.AllKubernetesRequests),6} | {MedianTickMilliseconds,8:F0} | {Ticks.Max(t => t.Milliseconds),8:F0} | {SetupSeconds,7:F1} |");
}
