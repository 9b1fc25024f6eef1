using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Flame.DaprSim;
using Flame.DaprSim.Sidecars;
using Flame.Sandbox;

namespace Flame.Po.Benchmarks;

/// <summary>
/// <c>dapr-sim</c>: the same requests against <c>--target all</c> (one process) and against the Dapr mode as three
/// processes (api, lifecycle, logging), each with a simulated sidecar (tests/Flame.DaprSim, in this process, loading
/// components/), side by side, over HTTP with real tokens: <c>POST /po/</c> (sequential), <c>GET /po/status</c>
/// (sequential) and <c>POST /po/stream_logs</c> for one analysis (sequential). The Sandbox and the simulator run in
/// the benchmark's process, so their work is part of every figure.
/// </summary>
public static class DaprSimScenario
{
    private const string AppToken = "bench-app-token";
    private const string ApiToken = "bench-dapr-token";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public static async Task<DaprSimResult> RunAsync(int requests, string repositoryRoot)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { TimeScale = 1 });
        await using var database = await BenchmarkDatabase.CreateAsync(repositoryRoot);
        var environment = BenchmarkHost.HostSettings(database, sandbox);

        environment["STARTUP_GRACE"] = "1000000";
        environment["UNRESPONSIVE_TIMEOUT"] = "1000000";

        DaprSimMeasures all;
        await using (var host = HostProcess.Start(environment))
        {
            await host.WaitUntilReadyAsync(StartTimeout);
            all = await MeasureAsync("--target all", host.Address, sandbox, requests);
            await host.StopAsync();
        }

        var resources = CopyComponents(repositoryRoot);
        var ports = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["api"] = HostProcess.FreePort(),
            ["lifecycle"] = HostProcess.FreePort(),
            ["logging"] = HostProcess.FreePort(),
        };
        await using var sim = await DaprSimulator.StartAsync(new DaprSimOptions
        {
            ResourcesPaths = [resources],
            Sidecars =
            [
                Sidecar("api", ports["api"], Path.Combine(resources, "config-api.yaml")),
                Sidecar("lifecycle", ports["lifecycle"], Path.Combine(resources, "config.yaml")),
                Sidecar("logging", ports["logging"], Path.Combine(resources, "config.yaml")),
            ],
        });
        var processes = new List<HostProcess>();
        try
        {
            foreach (var app in new[] { "lifecycle", "logging", "api" })
            {
                var sidecar = sim.Sidecar(app);
                var appEnvironment = new Dictionary<string, string?>(environment)
                {
                    ["PO_BUILDING_BLOCKS"] = "dapr",
                    ["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(CultureInfo.InvariantCulture),
                    ["DAPR_GRPC_PORT"] = sidecar.GrpcPort.ToString(CultureInfo.InvariantCulture),
                    ["APP_API_TOKEN"] = AppToken,
                    ["DAPR_API_TOKEN"] = ApiToken,
                    ["APP_ID"] = app,
                };
                processes.Add(HostProcess.Start(appEnvironment, app, ports[app]));
            }

            foreach (var process in processes)
            {
                await process.WaitUntilReadyAsync(StartTimeout);
            }

            var three = await MeasureAsync("three processes (Dapr, simulated sidecars)", processes[^1].Address, sandbox, requests);
            return new DaprSimResult(all, three);
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            Directory.Delete(resources, recursive: true);
        }
    }

    private static async Task<DaprSimMeasures> MeasureAsync(string mode, Uri address, SandboxServer sandbox, int requests)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var management = sandbox.Tokens.Management(TimeSpan.FromHours(2));
        var creates = await TimeAsync(Math.Max(1, requests / 20), async _ =>
        {
            var id = Guid.NewGuid().ToString();
            await SendAsync(http, HttpMethod.Post, "/po/", management, new JsonObject
            {
                ["analysis_id"] = id,
                ["project_id"] = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                ["registry_url"] = "harbor.sandbox.local",
                ["image_url"] = "harbor.sandbox.local/sim/ok:runtime-360000s",
                ["registry_user"] = "robot$bench",
                ["registry_password"] = "bench-password",
                ["kong_token"] = "none_needed",
            });
        });
        var statuses = await TimeAsync(requests, _ => SendAsync(http, HttpMethod.Get, "/po/status", management, null));
        var analysisId = Guid.NewGuid().ToString();
        var analysisToken = sandbox.Tokens.Analysis(analysisId, TimeSpan.FromHours(2));
        var clock = Stopwatch.StartNew();
        var lines = await TimeAsync(requests * 2, i => SendAsync(http, HttpMethod.Post, "/po/stream_logs", analysisToken, new JsonObject
        {
            ["log"] = string.Create(CultureInfo.InvariantCulture, $"epoch {i}: loss 0.{i % 1000:000} — batch of 128 records processed"),
            ["log_type"] = "info",
            ["analysis_id"] = analysisId,
            ["status"] = "executing",
            ["progress"] = i * 100 / (requests * 2),
        }));
        var linesPerSecond = requests * 2 / clock.Elapsed.TotalSeconds;
        var measures = new DaprSimMeasures(mode, creates, statuses, lines, linesPerSecond);
        Console.WriteLine(measures);
        return measures;
    }

    private static async Task<Percentiles> TimeAsync(int count, Func<int, Task> request)
    {
        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            await request(i + 1);
            latencies[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(latencies);
        return new Percentiles(count, Percentile(latencies, 0.5), Percentile(latencies, 0.99));
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, string token, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static SidecarOptions Sidecar(string appId, int appPort, string config) =>
        new() { AppId = appId, AppPort = appPort, ConfigPath = config, ApiToken = ApiToken, AppToken = AppToken };

    private static string CopyComponents(string repositoryRoot)
    {
        var target = Path.Combine(Path.GetTempPath(), "flame-po-bench-components-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(repositoryRoot, "components"), "*.yaml"))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

public sealed record Percentiles(int Count, double P50Ms, double P99Ms)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Count} × p50 {P50Ms:F1} ms, p99 {P99Ms:F1} ms");
}

public sealed record DaprSimMeasures(string Mode, Percentiles Create, Percentiles Status, Percentiles StreamLogs, double LinesPerSecond)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Mode}: POST /po/ {Create}; GET /po/status {Status}; stream_logs {StreamLogs}, {LinesPerSecond:F0} lines/s sequential");
}

public sealed record DaprSimResult(DaprSimMeasures TargetAll, DaprSimMeasures ThreeProcesses);
