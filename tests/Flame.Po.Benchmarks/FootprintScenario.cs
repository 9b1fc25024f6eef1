using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using Flame.Sandbox;

namespace Flame.Po.Benchmarks;

/// <summary>The command line of <c>footprint</c>: <c>[analyses=1000] [--starts 3] [--idle-seconds 30] [--steady-seconds 60]</c>.</summary>
public sealed record FootprintOptions(int Analyses, int Starts, int IdleSeconds, int SteadySeconds)
{
    /// <summary>Null when the arguments do not parse.</summary>
    public static FootprintOptions? Parse(IReadOnlyList<string> args) =>
        ScenarioArguments.Parse(args, 1000, new Dictionary<string, int> { ["starts"] = 3, ["idle-seconds"] = 30, ["steady-seconds"] = 60 }) is { } parsed
            ? new FootprintOptions(parsed.Size, parsed.Options["starts"], parsed.Options["idle-seconds"], parsed.Options["steady-seconds"])
            : null;
}

/// <summary>
/// <c>footprint</c>: the host as a separate OS process (<see cref="HostProcess"/>) against a Sandbox in this
/// process and PostgreSQL. A first start migrates the fresh database (reported, not in the median); then
/// <c>starts</c> starts are timed from process start until <c>/readyz</c> answers 200. The last one stays up:
/// its RSS (VmRSS from <c>/proc/&lt;pid&gt;/status</c>) after <c>idle-seconds</c> without analyses, then with
/// N analyses created through <c>POST /po/</c> and all <c>executing</c>, sampled every second for
/// <c>steady-seconds</c> while the status loop ticks at its production interval; peak RSS is VmHWM.
/// </summary>
public static class FootprintScenario
{
    private const int CreateConcurrency = 16;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(20);

    public static async Task<FootprintResult> RunAsync(FootprintOptions options, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { TimeScale = 1 });
        await using var database = await BenchmarkDatabase.CreateAsync(repositoryRoot);
        var environment = BenchmarkHost.HostSettings(database, sandbox);

        // The production status-loop interval; no restarts of analyses whose probes time out on a shared CPU.
        environment["STARTUP_GRACE"] = "1000000";
        environment["UNRESPONSIVE_TIMEOUT"] = "1000000";
        environment["HEALTHZ_TIMEOUT"] = "2";

        double firstStartMs;
        await using (var first = HostProcess.Start(environment))
        {
            var (answering, ready, lastNotReady) = await first.WaitUntilReadyAsync(StartTimeout);
            firstStartMs = ready;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  first start (migrates a fresh database): answers HTTP after {answering:F0} ms, ready after {ready:F0} ms; before: {lastNotReady}"));
            await first.StopAsync();
        }

        var startsMs = new List<double>();
        HostProcess? host = null;
        try
        {
            for (var i = 0; i < options.Starts; i++)
            {
                if (host is not null)
                {
                    await host.StopAsync();
                    await host.DisposeAsync();
                }

                host = HostProcess.Start(environment);
                var (answering, ready, lastNotReady) = await host.WaitUntilReadyAsync(StartTimeout);
                startsMs.Add(ready);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  start {i + 1}: answers HTTP after {answering:F0} ms, ready after {ready:F0} ms; before: {lastNotReady}"));
            }

            await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds));
            var (idleRss, idlePeak) = host!.Memory();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  idle after {options.IdleSeconds} s: RSS {idleRss:F0} MB, peak {idlePeak:F0} MB"));

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = CreateConcurrency }) { BaseAddress = host.Address, Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.Tokens.Management(TimeSpan.FromHours(4)));
            var setup = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Analyses), new ParallelOptions { MaxDegreeOfParallelism = CreateConcurrency }, async (_, _) => await CreateAsync(http));
            await WaitUntilExecutingAsync(http, options.Analyses, setup);
            var setupSeconds = setup.Elapsed.TotalSeconds;

            var samples = new List<double>();
            for (var second = 0; second < options.SteadySeconds; second++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                samples.Add(host.Memory().RssMb);
            }

            var (steadyRss, peak) = host.Memory();
            var gc = GcMemory.Parse(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
            var readiness = await http.GetStringAsync(new Uri("/readyz", UriKind.Relative));
            Console.Error.WriteLine($"  readiness at the end: {readiness}");
            await host.StopAsync();
            return new FootprintResult(options.Analyses, firstStartMs, startsMs, Median(startsMs), options.IdleSeconds, idleRss, idlePeak, setupSeconds, options.SteadySeconds, steadyRss, Median(samples), samples.Max(), peak, gc);
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static async Task CreateAsync(HttpClient http)
    {
        var body = RunningAnalyses.CreateBody(Guid.NewGuid().ToString(), RunningAnalyses.RunningImage);
        using var response = await http.PostAsync(new Uri("/po/", UriKind.Relative), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /po/ answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Polls <c>GET /po/status</c> every 2 s (a light read next to the loop) until every analysis executes.</summary>
    private static async Task WaitUntilExecutingAsync(HttpClient http, int analyses, Stopwatch setup)
    {
        while (true)
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync(new Uri("/po/status", UriKind.Relative)));
            var statuses = status.RootElement.EnumerateObject().GroupBy(p => p.Value.GetProperty("status").GetString() ?? "null", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  setup {setup.Elapsed.TotalSeconds:F0} s: {string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value} {s.Key}"))}"));
            if (statuses.GetValueOrDefault("executing") == analyses)
            {
                return;
            }

            if (setup.Elapsed > SetupTimeout)
            {
                throw new TimeoutException($"Not every analysis executes after {SetupTimeout.TotalMinutes:F0} minutes.");
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

/// <param name="FirstStartMs">The start on a fresh database (it migrates); not in <see cref="MedianStartMs"/>.</param>
/// <param name="IdlePeakRssMb">VmHWM after the idle wait: the start-up peak.</param>
/// <param name="SteadyRssMb">VmRSS at the end of the steady period.</param>
/// <param name="SteadyMedianRssMb">The median of the per-second VmRSS samples of the steady period: the steady figure
/// least moved by when the GC last ran (single samples of one build differ by up to 60 MB from run to run).</param>
/// <param name="SteadyMaxSampledRssMb">The highest of the per-second VmRSS samples of the steady period.</param>
/// <param name="PeakRssMb">VmHWM at the end: the peak of the whole run, set-up included.</param>
/// <param name="Gc">The GC's own account at the end (the host's <c>/metrics</c>): live heap after the last collection and
/// memory it keeps committed; what RSS holds beyond them is runtime, code and native memory.</param>
public sealed record FootprintResult(
    int Analyses,
    double FirstStartMs,
    IReadOnlyList<double> StartsMs,
    double MedianStartMs,
    int IdleSeconds,
    double IdleRssMb,
    double IdlePeakRssMb,
    double SetupSeconds,
    int SteadySeconds,
    double SteadyRssMb,
    double SteadyMedianRssMb,
    double SteadyMaxSampledRssMb,
    double PeakRssMb,
    GcMemory Gc)
{
    public const double StartTargetMs = 3000;
    public const double RssTargetMb = 200;

    public IEnumerable<string> Rows()
    {
        yield return "| measure | value | target | |";
        yield return "|---|---|---|---|";
        yield return Row($"start-up to /readyz 200, median of {StartsMs.Count} ({string.Join(", ", StartsMs.Select(s => s.ToString("F0", CultureInfo.InvariantCulture)))} ms)", $"{MedianStartMs:F0} ms", $"≤ {StartTargetMs:F0} ms", MedianStartMs <= StartTargetMs);
        yield return Row("first start, migrating a fresh database", $"{FirstStartMs:F0} ms", "–", null);
        yield return Row($"RSS idle, {IdleSeconds} s after start", $"{IdleRssMb:F0} MB", $"≤ {RssTargetMb:F0} MB", IdleRssMb <= RssTargetMb);
        yield return Row($"RSS with {Analyses} executing, after {SteadySeconds} s of status loop", $"{SteadyRssMb:F0} MB", $"≤ {RssTargetMb:F0} MB", SteadyRssMb <= RssTargetMb);
        yield return Row($"median of the per-second RSS samples in those {SteadySeconds} s", $"{SteadyMedianRssMb:F0} MB", $"≤ {RssTargetMb:F0} MB", SteadyMedianRssMb <= RssTargetMb);
        yield return Row($"highest RSS sample in those {SteadySeconds} s", $"{SteadyMaxSampledRssMb:F0} MB", $"≤ {RssTargetMb:F0} MB", SteadyMaxSampledRssMb <= RssTargetMb);
        yield return Row("GC at the end: live heap after the last collection / committed", Gc.ToString(), "–", null);
        yield return Row("peak RSS (VmHWM) at start-up / over the whole run", $"{IdlePeakRssMb:F0} MB / {PeakRssMb:F0} MB", "–", null);
        yield return Row($"set-up: {Analyses} creates over HTTP until all execute", $"{SetupSeconds:F0} s", "–", null);
    }

    private static string Row(string measure, string value, string target, bool? met) =>
        string.Create(CultureInfo.InvariantCulture, $"| {measure} | {value} | {target} | {LatencyRow.Verdict(met)} |");
}
