using System.Diagnostics;
using System.Globalization;

using Flame.Po.Core.Analyses;
using Flame.Po.Host;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { TimeScale = 1 });
        await using var database = await BenchmarkDatabase.CreateAsync(repositoryRoot);
        var settings = new Dictionary<string, string?>(database.Settings)
        {
            ["KUBECONFIG"] = sandbox.KubeconfigPath,
            ["PO_NAMESPACE"] = sandbox.Namespace,
            ["ANALYSIS_ACCESS"] = "proxy",
            ["KEYCLOAK_URL"] = sandbox.KeycloakBaseUrl,
            ["RESULT_CLIENT_ID"] = "flame-po",
            ["RESULT_CLIENT_SECRET"] = "flame-po-secret",
            ["STATUS_LOOP_INTERVAL"] = "3600",
            // No restarts while the loop is measured: silent analyses must stay "started", and an answering one whose
            // probes time out because the simulator shares the CPU must not be redeployed (unresponsive restart).
            ["STARTUP_GRACE"] = "1000000",
            ["UNRESPONSIVE_TIMEOUT"] = "1000000",
            ["HEALTHZ_TIMEOUT"] = "2",
            ["LOG_LEVEL"] = "error",
        };
        await using var app = FlameHost.Build(HostTarget.All, ["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
        await app.StartAsync();
        await WaitForSchemaAsync(app);
        var commands = app.Services.GetRequiredService<AnalysisCommands>();
        var reconciler = app.Services.GetRequiredService<AnalysisReconciler>();
        var repository = app.Services.GetRequiredService<AnalysisRepository>();

        var silent = size * options.SilentPercent / 100;
        var setup = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, size), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var image = i < silent ? options.SilentImage : "harbor.sandbox.local/sim/ok:runtime-1000000s";
            await commands.CreateAsync(Create(image), ct);
        });
        while (true)
        {
            var setupTick = await reconciler.ReconcileAllAsync(CancellationToken.None);
            var records = await repository.ListAsync(activeOnly: true, CancellationToken.None);
            var executing = records.Count(r => r.Record.Status == AnalysisStatus.Executing);
            var started = records.Count(r => r.Record.Status == AnalysisStatus.Started);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  setup {setup.Elapsed.TotalSeconds:F0} s: tick {setupTick.Duration.TotalMilliseconds:F0} ms, {setupTick.Probed} probed, {setupTick.Steps} steps; {executing} executing, {started} started; {sandbox.Objects.List("pods", sandbox.Namespace).Count} pods"));
            if (executing == size - silent && started == silent)
            {
                break;
            }

            if (setup.Elapsed > TimeSpan.FromMinutes(20))
            {
                throw new TimeoutException($"Only {executing} executing and {started} started of {size} after 20 minutes.");
            }
        }

        // Creates ask for their analysis to be advanced right away; those follow-ups are command work, not part of
        // a tick, so the measurement starts once none is left (they list by label and would count as the tick's).
        var followUps = app.Services.GetRequiredService<ReconcileRequests>();
        while (followUps.Pending > 0)
        {
            await Task.Delay(100);
        }

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

        await app.StopAsync();
        return new LoopScaleResult(size, silent, setup.Elapsed.TotalSeconds, ticks);
    }

    private static async Task WaitForSchemaAsync(WebApplication app)
    {
        var schema = app.Services.GetRequiredService<Persistence.DatabaseStatus>();
        while (!schema.Migrated)
        {
            await Task.Delay(50);
        }
    }

    private static CreateAnalysisCommand Create(string image) => new()
    {
        AnalysisId = Guid.NewGuid().ToString(),
        ProjectId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        RegistryUrl = "harbor.sandbox.local",
        ImageUrl = image,
        RegistryUser = "robot$bench",
        RegistryPassword = "bench",
        KongToken = "none_needed",
    };
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
