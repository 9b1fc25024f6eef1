using System.Diagnostics;
using System.Net;
using Flame.Po.Core.Analyses;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Api;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.ServiceDefaults.Telemetry;
using Flame.Sandbox;
using Flame.Testing;
using OpenTelemetry.Trace;

namespace Flame.Po.IntegrationTests.Telemetry;

/// <summary>
/// One <c>POST /po/</c> is one trace in <c>--target all</c>: the Api's server span, the call to the lifecycle through the
/// in-memory local channel (client span, then the lifecycle's server span), the create command, the Kubernetes requests
/// that write the Secrets, and the follow-up that creates the analysis' objects — every span of the trace reaches the
/// Api's span through its parents. Spans are captured with the in-memory exporter.
/// </summary>
public sealed class CreateTraceTests : IAsyncLifetime
{
    private readonly SpanList _spans = new();
    private SandboxServer _sandbox = null!;
    private TestDatabase _database = null!;
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { TimeScale = 0.01, TokenLifetime = TimeSpan.FromMinutes(5) });
        _database = await TestPostgres.CreateDatabaseAsync();
        var settings = _database.EnvironmentValues();
        settings["KUBECONFIG"] = _sandbox.KubeconfigPath;
        settings["PO_NAMESPACE"] = _sandbox.Namespace;
        settings["ANALYSIS_ACCESS"] = "proxy";
        settings["KEYCLOAK_URL"] = _sandbox.KeycloakBaseUrl;
        settings["RESULT_CLIENT_ID"] = "flame-po";
        settings["RESULT_CLIENT_SECRET"] = "flame-po-secret";
        // The status loop stays out of the way: the follow-up of the create does the work.
        settings["STATUS_LOOP_INTERVAL"] = "60";
        _host = await RunningHost.StartAsync(HostTarget.All, settings, builder => builder.AddFlameTracing(tracing => tracing.AddInMemoryExporter(_spans)));
        await _host.WaitForReadinessAsync(HttpStatusCode.OK);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sandbox.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_create_is_one_trace_from_the_api_through_the_lifecycle_to_the_kubernetes_requests()
    {
        var id = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/")
        {
            Content = new StringContent(ApiFixture.CreateBody(id, "harbor.sandbox.local/sim/ok:runtime-600s").ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", _sandbox.Tokens.Management());
        using (var created = await _host.Http.SendAsync(request))
        {
            created.StatusCode.Should().Be(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        }

        // The exporter hears every host of this test process (other test classes create analyses at the same time):
        // the create's trace is the one whose create command carries this analysis id.
        var ownCommand = await WaitForAsync(
            spans => spans.FirstOrDefault(s => s.DisplayName == "create analysis" && s.GetTagItem("flame.analysis_id") as string == id),
            "this analysis' create command");
        var root = await WaitForAsync(
            spans => spans.FirstOrDefault(s => s.TraceId == ownCommand.TraceId && s.Kind == ActivityKind.Server && s.DisplayName == "POST /po/"),
            "the Api's server span");

        // The follow-up creates the objects after the answer; wait for the nginx Deployment's request to be exported.
        await WaitForAsync(
            spans => spans.Count(s => s.TraceId == root.TraceId && s.DisplayName == "kubernetes create deployments") >= 2 ? root : null,
            "the follow-up's Deployment creates in the create's trace");

        // A span is exported when it ends, so a child (a state read) can be exported while its parent (a later look of the
        // follow-up) still runs: take the trace once every exported span's parent has been exported too.
        List<Activity> trace = [];
        await WaitForAsync(
            spans =>
            {
                trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
                return Complete(root, trace) ? root : null;
            },
            "every parent of the trace's spans");
        var byId = trace.ToDictionary(s => s.SpanId);
        // The test's own HttpClient sent a traceparent (the host's tracer listens in this whole process): above the Api's
        // span there is only that client span.
        Chain(root, byId).Skip(1).Should().OnlyContain(s => s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client);

        // Every other span of the trace hangs from the Api's span.
        var above = Chain(root, byId).Skip(1).ToHashSet();
        foreach (var span in trace.Where(s => !above.Contains(s)))
        {
            Chain(span, byId).Should().Contain(root, $"{span.DisplayName} reaches the Api's span through its parents");
        }

        // The path: Api → local channel → lifecycle's internal route → create command → Kubernetes → HttpClient.
        var channel = trace.Single(s => s.Source.Name == "Flame.Po.Invocation" && s.GetTagItem("url.path") as string == "/internal/analyses");
        var lifecycleServer = trace.Single(s => s.Kind == ActivityKind.Server && s.ParentSpanId == channel.SpanId);
        var command = trace.Single(s => s.DisplayName == "create analysis");
        Chain(command, byId).Should().Contain(lifecycleServer);
        command.GetTagItem("flame.analysis_id").Should().Be(id);
        var secretWrites = trace.Where(s => s.DisplayName == "kubernetes create secrets").ToList();
        secretWrites.Should().HaveCount(2, "the pull and credentials Secrets");
        secretWrites.Should().OnlyContain(s => Chain(s, byId).Contains(command));
        secretWrites.Should().OnlyContain(s => trace.Any(h => h.ParentSpanId == s.SpanId && h.Source.Name == "System.Net.Http"), "HttpClient's span sits under each Kubernetes request");

        // The follow-up and its later looks (while the pod has no address yet) continue the create's trace.
        var followUps = trace.Where(s => s.DisplayName == "reconcile follow-up").ToList();
        followUps.Should().NotBeEmpty().And.OnlyContain(f => Chain(f, byId).Contains(command));
        trace.Where(s => s.DisplayName == "kubernetes create deployments").Should().OnlyContain(s => Chain(s, byId).Intersect(followUps).Any());
        trace.Should().Contain(s => s.DisplayName == "step CreateObjects");

        // The Kubernetes spans carry the same closed labels as the metric, never a body.
        secretWrites[0].GetTagItem("k8s.verb").Should().Be("create");
        trace.SelectMany(s => s.TagObjects).Select(t => t.Value?.ToString() ?? "").Should().NotContain(v => v.Contains("registry-password", StringComparison.Ordinal));
    }

    /// <summary>The span and its ancestors within the captured trace, innermost first.</summary>
    private static List<Activity> Chain(Activity span, Dictionary<ActivitySpanId, Activity> byId)
    {
        var chain = new List<Activity> { span };
        while (chain[^1].ParentSpanId != default && byId.TryGetValue(chain[^1].ParentSpanId, out var parent))
        {
            chain.Add(parent);
        }

        return chain;
    }

    private List<Activity> Snapshot() => _spans.Snapshot();

    /// <summary>Whether every span of the trace below the Api's span has its parent in the list.</summary>
    private static bool Complete(Activity root, List<Activity> trace)
    {
        var byId = trace.ToDictionary(s => s.SpanId);
        var above = Chain(root, byId).Skip(1).ToHashSet();
        return trace.Where(s => s != root && !above.Contains(s)).All(s => byId.ContainsKey(s.ParentSpanId));
    }

    private async Task<Activity> WaitForAsync(Func<List<Activity>, Activity?> find, string what)
    {
        Activity? found = null;
        await Wait.UntilAsync(
            () => (found = find(Snapshot())) is not null,
            TimeSpan.FromSeconds(30),
            $"the export of {what}",
            details: () => $"Spans: {string.Join(", ", Snapshot().Select(s => $"{s.DisplayName} [{s.Source.Name}]").Distinct())}");
        return found!;
    }

    /// <summary>The exporter adds from whichever thread ends a span; the test reads copies.</summary>
    private sealed class SpanList : ICollection<Activity>
    {
        private readonly List<Activity> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public List<Activity> Snapshot()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }

        public void Add(Activity item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (_items)
            {
                _items.Clear();
            }
        }

        public bool Contains(Activity item) => Snapshot().Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

        public bool Remove(Activity item)
        {
            lock (_items)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
