using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox;

namespace Flame.Po.Benchmarks;

/// <summary>
/// <c>ingest</c>: <c>POST /po/stream_logs</c> over HTTP against the whole host (real PostgreSQL, tokens from the
/// Sandbox's Keycloak). Part 1 sends <c>lines</c> lines for one analysis and compares the cost of the first and
/// the last 1,000 (flatness: the old service appended to one text column, quadratic in the lines). Part 2 runs
/// 32 analyses streaming at once and reports sustained lines/s and latency percentiles. With <c>--host-process</c>
/// the host runs as its own process (<see cref="HostProcess"/>, the image's runtime settings) and only the clients
/// run here, as when the analyses stream from their own pods.
/// </summary>
public static class IngestScenario
{
    public const int Block = 1000;
    private const int Concurrency = 32;

    public static async Task<IngestResult> RunAsync(int lines, int linesPerClient, string repositoryRoot, bool hostProcess)
    {
        if (!hostProcess)
        {
            await using var host = await BenchmarkHost.StartAsync(repositoryRoot, new Dictionary<string, string?>());
            using var http = host.CreateClient(Concurrency * 2);
            return await MeasureAsync(http, host.Sandbox, lines, linesPerClient, null);
        }

        await using var separate = await SeparateHost.StartAsync(repositoryRoot);
        using var client = separate.CreateClient(Concurrency * 2);
        return await MeasureAsync(client, separate.Sandbox, lines, linesPerClient, separate.Process.Id);
    }

    private static async Task<IngestResult> MeasureAsync(HttpClient http, SandboxServer sandbox, int lines, int linesPerClient, int? hostId)
    {
        var flat = await FlatnessAsync(http, sandbox, lines, hostId);
        Console.WriteLine(flat);
        var sustained = await SustainedAsync(http, sandbox, linesPerClient);
        Console.WriteLine(sustained);
        return new IngestResult(flat, sustained);
    }

    private static async Task<Flatness> FlatnessAsync(HttpClient http, SandboxServer sandbox, int lines, int? hostId)
    {
        var cpu = new List<string>();
        double HostCpu() => hostId is { } id ? ProcessCpu.Milliseconds(id) : 0;
        var hostCpu = HostCpu();
        var ownCpu = ProcessCpu.OwnMilliseconds();
        var analysisId = Guid.NewGuid().ToString();
        var token = sandbox.Tokens.Analysis(analysisId, TimeSpan.FromHours(2));
        var blocks = new List<double>();
        var total = Stopwatch.StartNew();
        var block = Stopwatch.StartNew();
        for (var i = 1; i <= lines; i++)
        {
            await SendAsync(http, token, analysisId, i, lines);
            if (i % Block == 0)
            {
                blocks.Add(block.Elapsed.TotalMilliseconds);
                var (host, own) = (HostCpu(), ProcessCpu.OwnMilliseconds());
                cpu.Add(hostId is null ? string.Create(CultureInfo.InvariantCulture, $"{own - ownCpu:F0}") : string.Create(CultureInfo.InvariantCulture, $"{host - hostCpu:F0}+{own - ownCpu:F0}"));
                (hostCpu, ownCpu) = (host, own);
                block.Restart();
            }
        }

        Console.WriteLine("ms per 1,000 lines: " + string.Join(' ', blocks.Select(b => b.ToString("F0", CultureInfo.InvariantCulture))));
        Console.WriteLine((hostId is null ? "CPU ms per 1,000 lines (this process): " : "CPU ms per 1,000 lines (host + clients): ") + string.Join(' ', cpu));
        return new Flatness(lines, blocks[0], blocks[^1], blocks.Max(), lines / total.Elapsed.TotalSeconds);
    }

    private static async Task<Sustained> SustainedAsync(HttpClient http, SandboxServer sandbox, int linesPerClient)
    {
        var latencies = new double[Concurrency * linesPerClient];
        var total = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Concurrency), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (client, _) =>
        {
            var analysisId = Guid.NewGuid().ToString();
            var token = sandbox.Tokens.Analysis(analysisId, TimeSpan.FromHours(2));
            for (var i = 1; i <= linesPerClient; i++)
            {
                var watch = Stopwatch.StartNew();
                await SendAsync(http, token, analysisId, i, linesPerClient);
                latencies[(client * linesPerClient) + i - 1] = watch.Elapsed.TotalMilliseconds;
            }
        });
        var seconds = total.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Sustained(Concurrency, latencies.Length, latencies.Length / seconds, Percentile(latencies, 0.5), Percentile(latencies, 0.99));
    }

    private static async Task SendAsync(HttpClient http, string token, string analysisId, int line, int lines)
    {
        var body = new JsonObject
        {
            ["log"] = string.Create(CultureInfo.InvariantCulture, $"epoch {line}: loss 0.{line % 1000:000}, accuracy 0.9{line % 100:00} — batch of 128 records processed"),
            ["log_type"] = "info",
            ["analysis_id"] = analysisId,
            ["status"] = "executing",
            ["progress"] = line * 100 / lines,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/stream_logs") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"stream_logs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

public sealed record Flatness(int Lines, double FirstBlockMs, double LastBlockMs, double WorstBlockMs, double LinesPerSecond)
{
    public double LastToFirst => LastBlockMs / FirstBlockMs;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"one analysis, {Lines} lines: first 1,000 {FirstBlockMs:F0} ms, last 1,000 {LastBlockMs:F0} ms (×{LastToFirst:F2}), worst 1,000 {WorstBlockMs:F0} ms, {LinesPerSecond:F0} lines/s");
}

public sealed record Sustained(int Clients, int Lines, double LinesPerSecond, double P50Ms, double P99Ms)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Clients} analyses at once, {Lines} lines: {LinesPerSecond:F0} lines/s, p50 {P50Ms:F1} ms, p99 {P99Ms:F1} ms");
}

public sealed record IngestResult(Flatness Flatness, Sustained Sustained);
