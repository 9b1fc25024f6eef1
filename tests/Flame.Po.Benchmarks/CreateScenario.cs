using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.StatusLoop;
using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox;
using Flame.Sandbox.Kubernetes;
using Microsoft.Extensions.Options;

namespace Flame.Po.Benchmarks;

/// <summary>
/// The command line of <c>create</c>: <c>[count=500] [--concurrency 20] [--object-seconds 300] [--host-process]</c>;
/// <c>object-seconds</c> is how long to wait for the analyses' objects after the last answer (1 with
/// <c>BENCH_HOST_RECONCILER_ENABLED=false</c>, where none come).
/// </summary>
public sealed record CreateOptions(int Count, int Concurrency, bool HostProcess = false, int ObjectSeconds = 300)
{
    /// <summary>Null when the arguments do not parse.</summary>
    public static CreateOptions? Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return ScenarioArguments.TakeFlag(args, ScenarioArguments.HostProcessFlag) is { } flag
            && ScenarioArguments.Parse(flag.Others, 500, new Dictionary<string, int> { ["concurrency"] = 20, ["object-seconds"] = 300 }) is { } parsed
            ? new CreateOptions(parsed.Size, parsed.Options["concurrency"], flag.Present, parsed.Options["object-seconds"])
            : null;
    }
}

/// <summary>
/// <c>create</c>: <c>POST /po/</c> over HTTP with a management token against the whole host with its production
/// status-loop settings, <c>count</c> creates at <c>concurrency</c> (after a few unmeasured warm-up creates).
/// Reports the request latency and, per analysis, the time from the request's start until the Sandbox stores
/// every Kubernetes object of the analysis (the set <see cref="AnalysisManifests.All"/> builds with credentials).
/// Creation is observed through the Sandbox store's <see cref="ObjectCreated"/> event, so it costs the PO nothing.
/// With <c>--host-process</c> the host runs as its own process (<see cref="HostProcess"/>, the image's runtime
/// settings; <c>BENCH_HOST_RECONCILER_ENABLED=false</c> measures the request alone) and the CPU time of the creates is
/// reported apart: the host's, and this process' (the Sandbox and the clients).
/// </summary>
public static class CreateScenario
{
    private const int WarmUpCreates = 5;

    /// <summary>Runs 10 minutes, so the analyses are still running when every object exists.</summary>
    private const string Image = "harbor.sandbox.local/sim/ok:runtime-600s";

    public static async Task<CreateResult> RunAsync(CreateOptions options, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.HostProcess)
        {
            await using var host = await BenchmarkHost.StartAsync(repositoryRoot, new Dictionary<string, string?>());
            using var client = host.CreateClient(options.Concurrency);
            return await MeasureAsync(options, client, host.Sandbox, host.Get<IOptions<StatusLoopSettings>>().Value.IntervalSeconds, hostId: null);
        }

        await using var separate = await SeparateHost.StartAsync(repositoryRoot);
        using var http = separate.CreateClient(options.Concurrency);
        return await MeasureAsync(options, http, separate.Sandbox, new StatusLoopSettings().IntervalSeconds, separate.Process.Id);
    }

    private static async Task<CreateResult> MeasureAsync(CreateOptions options, HttpClient http, SandboxServer sandbox, double interval, int? hostId)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  status loop every {interval:F0} s; every analysis gets {ExpectedObjects.All.Count} objects: {string.Join(", ", ExpectedObjects.All.Select(o => $"{o.Plural}/{o.Component}"))}"));

        var trackers = new ConcurrentDictionary<string, ObjectTracker>(StringComparer.Ordinal);
        sandbox.Objects.Created += created =>
        {
            if (created.Labels.TryGetValue(WorkloadLabels.AnalysisId, out var id) && trackers.TryGetValue(id, out var tracker))
            {
                tracker.Saw(created);
            }
        };

        var token = sandbox.Tokens.Management(TimeSpan.FromHours(2));
        for (var i = 0; i < WarmUpCreates; i++)
        {
            await CreateAsync(http, token, Guid.NewGuid().ToString());
        }

        var latencies = new double[options.Count];
        sandbox.Counters.Reset();
        var (hostCpu, ownCpu) = (hostId is { } before ? ProcessCpu.Milliseconds(before) : double.NaN, ProcessCpu.OwnMilliseconds());
        var total = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, _) =>
        {
            var id = Guid.NewGuid().ToString();
            var tracker = new ObjectTracker(Stopwatch.GetTimestamp());
            trackers[id] = tracker;
            await CreateAsync(http, token, id);
            latencies[i] = Stopwatch.GetElapsedTime(tracker.Start).TotalMilliseconds;
        });
        var requestSeconds = total.Elapsed.TotalSeconds;
        var requestCpu = CpuPerCreate(hostId, hostCpu, ownCpu, options.Count);

        var waiting = Stopwatch.StartNew();
        while (trackers.Values.Any(t => !t.Has(ExpectedObjects.All)) && waiting.Elapsed < TimeSpan.FromSeconds(options.ObjectSeconds))
        {
            await Task.Delay(50);
        }

        var allSeconds = total.Elapsed.TotalSeconds;
        var allCpu = CpuPerCreate(hostId, hostCpu, ownCpu, options.Count);
        var requests = sandbox.Counters.Snapshot();
        return new CreateResult(
            options.Count,
            options.Concurrency,
            interval,
            options.Count / requestSeconds,
            allSeconds,
            RequestsPerCreate(requests, options.Count),
            requestCpu,
            allCpu,
            [
                LatencyRow.Of("POST /po/ latency", latencies, targetP50Ms: 50, targetP99Ms: 250),
                LatencyRow.Of("start → Secrets, NetworkPolicies, analysis Deployment + Service exist", trackers.Values.Select(t => t.MillisecondsUntil(ExpectedObjects.BeforeNginx))),
                LatencyRow.Of($"start → all {ExpectedObjects.All.Count} objects exist (+ nginx ConfigMap, Deployment, Service)", trackers.Values.Select(t => t.MillisecondsUntil(ExpectedObjects.All)), targetP99Ms: 1000),
            ]);
    }

    /// <summary>
    /// The Sandbox's requests from the first measured create until every object existed, per create, by kind: what
    /// the creates cost the API server and Keycloak (and, here, this process' CPU). A step taken twice shows up as
    /// more than one Kubernetes create per object.
    /// </summary>
    private static Dictionary<string, double> RequestsPerCreate(IReadOnlyDictionary<string, long> counts, int creates)
    {
        double Sum(Func<string, bool> route) => Math.Round(counts.Where(kv => route(kv.Key)).Sum(kv => kv.Value) / (double)creates, 2);
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["kubernetes_create"] = Sum(k => k.StartsWith("k8s:create:", StringComparison.Ordinal)),
            ["kubernetes_list"] = Sum(k => k.StartsWith("k8s:list:", StringComparison.Ordinal)),
            ["kubernetes_other"] = Sum(k => k.StartsWith("k8s:", StringComparison.Ordinal) && !k.StartsWith("k8s:create:", StringComparison.Ordinal) && !k.StartsWith("k8s:list:", StringComparison.Ordinal)),
            ["keycloak"] = Sum(k => k.StartsWith("keycloak:", StringComparison.Ordinal)),
        };
    }

    /// <summary>CPU milliseconds per create since the burst began: the host's (NaN in this process) and this process'.</summary>
    private static CreateCpu CpuPerCreate(int? hostId, double hostBefore, double ownBefore, int creates) =>
        new((hostId is { } id ? ProcessCpu.Milliseconds(id) - hostBefore : double.NaN) / creates, (ProcessCpu.OwnMilliseconds() - ownBefore) / creates);

    private static async Task CreateAsync(HttpClient http, string token, string analysisId)
    {
        var body = RunningAnalyses.CreateBody(analysisId, Image);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /po/ answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>An analysis' objects by resource and <c>component</c> label, derived from the manifests the PO builds.</summary>
    private static class ExpectedObjects
    {
        public static HashSet<(string Plural, string Component)> All { get; } = Of(m => m.All(nginxConfig: ""));

        public static HashSet<(string Plural, string Component)> BeforeNginx { get; } = Of(m => [.. m.Secrets(), .. CreationOrder.Objects.TakeWhile(kind => kind != DeploymentObjects.NginxConfigMap).Select(kind => m.Of(kind, nginxConfig: null))]);

        private static HashSet<(string Plural, string Component)> Of(Func<AnalysisManifests, IEnumerable<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>>> objects)
        {
            var plurals = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Deployment"] = "deployments",
                ["Service"] = "services",
                ["NetworkPolicy"] = "networkpolicies",
                ["ConfigMap"] = "configmaps",
                ["Secret"] = "secrets",
            };
            var manifests = AnalysisManifests.For(
                new AnalysisWorkloadRequest
                {
                    Namespace = "flame",
                    AnalysisId = Guid.NewGuid().ToString(),
                    ProjectId = RunningAnalyses.ProjectId,
                    RestartCounter = 1,
                    Image = Image,
                    Credentials = new AnalysisCredentials(new RegistryCredentials("harbor.sandbox.local", "robot$bench", "registry-password"), "none_needed", ""),
                },
                new WorkloadSettings());
            var list = objects(manifests).Select(o => (plurals[o.Kind], o.Metadata.Labels![WorkloadLabels.Component])).ToList();
            var set = list.ToHashSet();
            return set.Count == list.Count ? set : throw new InvalidOperationException("Two objects of an analysis share resource and component; they cannot be told apart.");
        }
    }

    /// <summary>When each expected object of one analysis was stored (Stopwatch timestamps); fed under the Sandbox store's lock.</summary>
    private sealed class ObjectTracker(long start)
    {
        private readonly Dictionary<(string Plural, string Component), long> _seen = [];

        public long Start => start;

        public void Saw(ObjectCreated created)
        {
            if (created.Labels.TryGetValue(WorkloadLabels.Component, out var component) && ExpectedObjects.All.Contains((created.Plural, component)))
            {
                lock (_seen)
                {
                    _seen.TryAdd((created.Plural, component), created.Timestamp);
                }
            }
        }

        public bool Has(HashSet<(string Plural, string Component)> objects)
        {
            lock (_seen)
            {
                return objects.All(_seen.ContainsKey);
            }
        }

        /// <summary>From the request's start until the last of <paramref name="objects"/> was stored; infinite if one never was.</summary>
        public double MillisecondsUntil(HashSet<(string Plural, string Component)> objects)
        {
            lock (_seen)
            {
                return objects.All(_seen.ContainsKey)
                    ? Stopwatch.GetElapsedTime(start, objects.Max(o => _seen[o])).TotalMilliseconds
                    : double.PositiveInfinity;
            }
        }
    }
}

/// <param name="RequestsPerCreate">Sandbox requests per create by kind (<c>kubernetes_create</c>, <c>kubernetes_list</c>, <c>kubernetes_other</c>, <c>keycloak</c>).</param>
/// <param name="CpuUntilAnswered">CPU per create until the last request was answered.</param>
/// <param name="CpuUntilAllObjects">CPU per create until every object of every analysis existed.</param>
public sealed record CreateResult(
    int Creates,
    int Concurrency,
    double StatusLoopIntervalSeconds,
    double CreatesPerSecond,
    double SecondsUntilAllObjects,
    IReadOnlyDictionary<string, double> RequestsPerCreate,
    CreateCpu CpuUntilAnswered,
    CreateCpu CpuUntilAllObjects,
    IReadOnlyList<LatencyRow> Rows);

/// <summary>CPU milliseconds per create: the host's (NaN when the host runs in the benchmark's process) and the benchmark process' (the Sandbox and the clients, and the host when it runs there).</summary>
public sealed record CreateCpu(double HostMs, double BenchmarkProcessMs)
{
    public override string ToString() => double.IsNaN(HostMs)
        ? string.Create(CultureInfo.InvariantCulture, $"{BenchmarkProcessMs:F1} ms (host, Sandbox and clients in one process)")
        : string.Create(CultureInfo.InvariantCulture, $"host {HostMs:F1} ms, Sandbox and clients {BenchmarkProcessMs:F1} ms");
}
