using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

using Flame.Po.Lifecycle.Reconciler;

namespace Flame.Po.Benchmarks;

/// <summary>The command line of <c>status-read</c>: <c>[analyses=1000] [--requests 2000] [--concurrency 1]</c>.</summary>
public sealed record StatusReadOptions(int Analyses, int Requests, int Concurrency)
{
    /// <summary>Null when the arguments do not parse.</summary>
    public static StatusReadOptions? Parse(IReadOnlyList<string> args) =>
        ScenarioArguments.Parse(args, 1000, new Dictionary<string, int> { ["requests"] = 2000, ["concurrency"] = 1 }) is { } parsed
            ? new StatusReadOptions(parsed.Size, parsed.Options["requests"], parsed.Options["concurrency"])
            : null;
}

/// <summary>
/// <c>status-read</c>: N running analyses (set up as <c>loop-scale</c> does, <see cref="RunningAnalyses"/>), then
/// <c>requests</c> reads over HTTP with a management token at <c>concurrency</c>, each after a short unmeasured
/// warm-up: <c>GET /po/status</c> (all analyses) with the status loop idle, <c>GET /po/status/{id}</c> (ids in
/// turn), and <c>GET /po/status</c> again while status-loop ticks run back to back (the worst case of a loop that
/// shares the process).
/// </summary>
public static class StatusReadScenario
{
    private const int WarmUpRequests = 20;

    public static async Task<StatusReadResult> RunAsync(StatusReadOptions options, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var host = await BenchmarkHost.StartAsync(repositoryRoot, RunningAnalyses.HostSettings);
        var (ids, setupSeconds) = await RunningAnalyses.StartAsync(host, options.Analyses);
        using var http = host.CreateClient(options.Concurrency);
        var token = host.Sandbox.Tokens.Management(TimeSpan.FromHours(2));

        using (var first = await GetAsync(http, token, "/po/status"))
        {
            var entries = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.EnumerateObject().Count();
            if (entries != options.Analyses)
            {
                throw new InvalidOperationException($"GET /po/status listed {entries} analyses, expected {options.Analyses}.");
            }
        }

        var rows = new List<LatencyRow>
        {
            await MeasureAsync("GET /po/status (all), loop idle", http, token, options, _ => "/po/status", targetP99Ms: 20),
        };
        Console.WriteLine(rows[^1]);
        rows.Add(await MeasureAsync("GET /po/status/{id}, loop idle", http, token, options, i => $"/po/status/{ids[i % ids.Count]}"));
        Console.WriteLine(rows[^1]);

        var reconciler = host.Get<AnalysisReconciler>();
        using var stopTicks = new CancellationTokenSource();
        var ticks = 0;
        var ticking = Task.Run(async () =>
        {
            while (!stopTicks.IsCancellationRequested)
            {
                await reconciler.ReconcileAllAsync(CancellationToken.None);
                ticks++;
            }
        });
        var during = await MeasureAsync("GET /po/status (all), ticks back to back", http, token, options, _ => "/po/status", targetP99Ms: 20);
        await stopTicks.CancelAsync();
        await ticking;
        rows.Add(during with { Measure = string.Create(CultureInfo.InvariantCulture, $"{during.Measure} ({ticks} ticks)") });
        Console.WriteLine(rows[^1]);
        return new StatusReadResult(options.Analyses, options.Requests, options.Concurrency, setupSeconds, rows);
    }

    private static async Task<LatencyRow> MeasureAsync(string measure, HttpClient http, string token, StatusReadOptions options, Func<int, string> path, double? targetP99Ms = null)
    {
        for (var i = 0; i < WarmUpRequests; i++)
        {
            (await GetAsync(http, token, path(i))).Dispose();
        }

        var latencies = new double[options.Requests];
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Requests), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, _) =>
        {
            var start = Stopwatch.GetTimestamp();
            (await GetAsync(http, token, path(i))).Dispose();
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        });
        return LatencyRow.Of(measure, latencies, targetP99Ms: targetP99Ms);
    }

    /// <summary>The whole body is read before this returns (the client buffers it), so it is part of the latency.</summary>
    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync();
            response.Dispose();
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {text}");
        }

        return response;
    }
}

public sealed record StatusReadResult(int Analyses, int Requests, int Concurrency, double SetupSeconds, IReadOnlyList<LatencyRow> Rows);
