using System.Globalization;
using System.Net.Http.Headers;

using Flame.Po.FootprintFloor;

namespace Flame.Po.Benchmarks;

/// <summary>The command line of <c>footprint-floor</c>: <c>[runs=1] [--idle-seconds 30]</c>.</summary>
public sealed record FootprintFloorOptions(int Runs, int IdleSeconds)
{
    /// <summary>Null when the arguments do not parse.</summary>
    public static FootprintFloorOptions? Parse(IReadOnlyList<string> args) =>
        ScenarioArguments.Parse(args, 1, new Dictionary<string, int> { ["idle-seconds"] = 30 }) is { } parsed
            ? new FootprintFloorOptions(parsed.Size, parsed.Options["idle-seconds"])
            : null;
}

/// <summary>
/// <c>footprint-floor</c>: what the PO's libraries hold before any PO code runs. For each <see cref="FloorLevel"/>
/// (cumulative: ASP.NET Core, + Npgsql, + OpenTelemetry metrics, + JwtBearer, + KubernetesClient, + Dapr.AspNetCore)
/// tests/Flame.Po.FootprintFloor runs as its own process with the host's runtime settings, is used once the way an
/// idle PO uses each library, and its RSS is read after <c>idle-seconds</c> (the same moment as <c>footprint</c>'s
/// idle figure). The median of <c>runs</c> runs per level.
/// </summary>
public static class FootprintFloorScenario
{
    public static async Task<IReadOnlyList<FloorRow>> RunAsync(FootprintFloorOptions options, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var database = await BenchmarkDatabase.CreateAsync(repositoryRoot);
        var rows = new List<FloorRow>();
        foreach (var level in Enum.GetValues<FloorLevel>())
        {
            var samples = new List<double>();
            for (var run = 0; run < options.Runs; run++)
            {
                samples.Add(await IdleRssAsync(level, options.IdleSeconds, database.Settings));
            }

            samples.Sort();
            var rss = samples[samples.Count / 2];
            rows.Add(new FloorRow(level.ToString(), rss, rows.Count == 0 ? 0 : rss - rows[^1].RssMb));
            Console.WriteLine(rows[^1]);
        }

        return rows;
    }

    private static async Task<double> IdleRssAsync(FloorLevel level, int idleSeconds, IReadOnlyDictionary<string, string?> databaseSettings)
    {
        var port = HostProcess.FreePort();
        var environment = new Dictionary<string, string?>(databaseSettings)
        {
            ["FLOOR_LEVEL"] = level.ToString(),
            ["FLOOR_KUBERNETES_URL"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"),
        };
        await using var process = HostProcess.StartProgram(Path.Combine(AppContext.BaseDirectory, "Flame.Po.FootprintFloor.dll"), [], environment, port);
        await process.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = process.Address, Timeout = TimeSpan.FromSeconds(10) };
        (await http.GetAsync(new Uri("/", UriKind.Relative))).EnsureSuccessStatusCode();
        if (level >= FloorLevel.OpenTelemetry)
        {
            (await http.GetAsync(new Uri("/metrics", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        if (level >= FloorLevel.JwtBearer)
        {
            var token = await http.GetStringAsync(new Uri("/floor/token", UriKind.Relative));
            using var secure = new HttpRequestMessage(HttpMethod.Get, new Uri("/floor/secure", UriKind.Relative));
            secure.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await http.SendAsync(secure)).EnsureSuccessStatusCode();
        }

        if (level >= FloorLevel.Dapr)
        {
            (await http.GetAsync(new Uri("/dapr/subscribe", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        var (rss, _) = process.Memory();
        await process.StopAsync();
        return rss;
    }
}

/// <summary>One level of the floor: its idle RSS and what it added to the level before.</summary>
public sealed record FloorRow(string Level, double RssMb, double AddedMb)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"| {Level} | {RssMb:F0} MB | +{AddedMb:F0} MB |");
}
