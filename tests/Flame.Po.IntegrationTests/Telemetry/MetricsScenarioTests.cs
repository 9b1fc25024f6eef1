using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Api;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Testing;

namespace Flame.Po.IntegrationTests.Telemetry;

/// <summary>
/// The values at <c>GET /metrics</c> after a small scenario on the whole host (sandbox, PostgreSQL, the Hub on): a stuck
/// analysis is restarted once (a long back-off keeps it from a second restart) and stopped, and lines are streamed for it.
/// The scrape is read without a token, parsed as Prometheus text, and compared with what happened.
/// </summary>
public sealed partial class MetricsScenarioTests : IAsyncLifetime
{
    private const string Stuck = "harbor.sandbox.local/sim/stuck";

    private static readonly string[] KubernetesVerbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync(
        new Dictionary<string, string?> { ["RESTART_BACKOFF_BASE"] = "60", ["RESTART_BACKOFF_MAX"] = "60" }, hub: true);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_stuck_analysis_restarted_once_is_counted_once_and_every_series_has_closed_labels()
    {
        var before = await ScrapeAsync();
        var ticksBefore = before.Sum("flame_po_status_loop_duration_seconds_count");

        var id = Guid.NewGuid().ToString();
        _h.Sandbox.Hub.RegisterAnalysis(id);
        using (var created = await SendAsync(HttpMethod.Post, "/po/", _h.Sandbox.Tokens.Management(), ApiFixture.CreateBody(id, Stuck)))
        {
            created.StatusCode.Should().Be(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        }

        await _h.WaitForAsync(id, r => r.Phase == LifecyclePhase.Restarting);
        await StreamAsync(id, "epoch 1", key: "line-1");
        await StreamAsync(id, "epoch 2", key: "line-2");
        await StreamAsync(id, "epoch 3", key: "line-3");
        await StreamAsync(id, "epoch 3", key: "line-3"); // the client's retry: a duplicate

        // The gauge follows the next tick: the analysis waits for its restart as "starting".
        var restarting = await ScrapeUntilAsync(m => m.Sum("flame_po_analyses", ("status", AnalysisStatus.Starting)) == 1, "the gauge shows the restarting analysis as starting");
        restarting.Sum("flame_po_analyses").Should().Be(1, "one analysis is active");
        (restarting.Sum("flame_po_restarts_total", ("reason", "stuck")) - before.Sum("flame_po_restarts_total", ("reason", "stuck"))).Should().Be(1);
        restarting.Sum("flame_po_restarts_total", ("reason", "slow")).Should().Be(0);
        restarting.Sum("flame_po_restarts_total", ("reason", "unresponsive")).Should().Be(0);
        restarting.Sum("flame_po_transitions_total", ("to", "starting"), ("reason", "created")).Should().Be(1, "the create is one transition");
        restarting.Sum("flame_po_transitions_total", ("to", "starting"), ("reason", "stuck")).Should().Be(1, "the restart is one transition");
        restarting.Sum("flame_po_probe_results_total", ("outcome", "answered")).Should().BeGreaterThanOrEqualTo(1, "the analysis answered that it is stuck");
        (restarting.Sum("flame_po_log_lines_ingested_total", ("outcome", "stored")) - before.Sum("flame_po_log_lines_ingested_total", ("outcome", "stored"))).Should().Be(3);
        restarting.Sum("flame_po_log_lines_ingested_total", ("outcome", "duplicate")).Should().Be(1);
        restarting.Sum("flame_po_kubernetes_requests_total", ("verb", "create"), ("resource", "secrets"), ("code", "201")).Should().BeGreaterThanOrEqualTo(2, "the create writes the pull and credentials Secrets");
        restarting.Sum("flame_po_kubernetes_requests_total", ("verb", "create"), ("resource", "deployments"), ("code", "201")).Should().BeGreaterThanOrEqualTo(2, "the analysis and its nginx");
        restarting.Sum("flame_po_kubernetes_requests_total", ("verb", "list"), ("resource", "pods"), ("code", "200")).Should().BeGreaterThanOrEqualTo(1);
        restarting.Sum("flame_po_kubernetes_requests_total", ("verb", "get"), ("resource", "services/proxy")).Should().BeGreaterThanOrEqualTo(1, "healthz goes through the service proxy here");

        foreach (var sample in restarting.Select("flame_po_kubernetes_requests_total"))
        {
            sample.Labels["verb"].Should().BeOneOf(KubernetesVerbs, sample.ToString());
            sample.Labels["resource"].Should().MatchRegex("^[a-z]+(/[a-z]+)?$", sample.ToString());
            sample.Labels["code"].Should().MatchRegex("^([1-5][0-9][0-9]|error|timeout)$", sample.ToString());
        }

        await ScrapeUntilAsync(m => m.Sum("flame_po_status_loop_duration_seconds_count") > ticksBefore, "the status-loop histogram counts ticks");

        using (var stopped = await SendAsync(HttpMethod.Put, $"/po/stop/{id}", _h.Sandbox.Tokens.Management()))
        {
            stopped.EnsureSuccessStatusCode();
        }

        await _h.WaitForFinishedAsync(id);
        var after = await ScrapeUntilAsync(m => m.Sum("flame_po_analyses") == 0, "a finished analysis leaves the gauge");
        after.Sum("flame_po_transitions_total", ("to", "stopped"), ("reason", "stopped_by_user")).Should().Be(1);
        (after.Sum("flame_po_restarts_total", ("reason", "stuck")) - before.Sum("flame_po_restarts_total", ("reason", "stuck"))).Should().Be(1, "the stop cancelled the pending restart; nothing more was counted");
        foreach (var status in new[] { "starting", "started", "executing", "executed", "stopped", "failed" })
        {
            after.Select("flame_po_analyses", ("status", status)).Should().ContainSingle($"every status is reported, {status} too");
        }

        after.Names.Should().Contain("flame_po_hub_backlog");
        after.Sum("flame_po_hub_backlog").Should().BeGreaterThanOrEqualTo(0);

        // Cardinality and secrets: no analysis id, token or password in any series.
        after.Text.Should().NotContain(id);
        after.Text.Should().NotContain("registry-password");
        foreach (var sample in after.Samples.Where(s => s.Name.StartsWith("flame_po_", StringComparison.Ordinal)))
        {
            sample.Labels.Keys.Should().NotContain(k => k.Contains("analysis", StringComparison.Ordinal), sample.ToString());
            foreach (var (label, value) in sample.Labels.Where(l => l.Key is "reason" or "outcome" or "to" or "status"))
            {
                value.Should().MatchRegex("^[a-z_]+$", $"{label} is a closed set of words: {sample}");
            }
        }

        // The platform's instrumentation is there too.
        after.Names.Should().Contain(n => n.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
        after.Select("http_server_request_duration_seconds_count", ("http_route", "/po/stream_logs")).Should().NotBeEmpty("the Api's own route is measured");
        after.Samples.Where(s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal))
            .Should().NotContain(s => s.Labels.ContainsKey("http_route") && s.Labels["http_route"].StartsWith("/internal/", StringComparison.Ordinal), "a hop through the local channel is not a request on the network");
        after.Names.Should().Contain(n => n.StartsWith("http_client_request_duration_seconds", StringComparison.Ordinal));
        after.Names.Should().Contain(n => n.StartsWith("dotnet_", StringComparison.Ordinal) || n.StartsWith("process_runtime_dotnet_", StringComparison.Ordinal));
        after.Names.Should().Contain(n => n.StartsWith("db_client_", StringComparison.Ordinal), "Npgsql's metrics");

        // Every metric the Grafana dashboard queries is exported.
        var dashboard = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "deploy", "grafana", "flame-po-dashboard.json"));
        var queried = MetricName().Matches(dashboard).Select(m => m.Value).Distinct().ToList();
        queried.Should().NotBeEmpty();
        after.Names.Should().Contain(queried);
    }

    [GeneratedRegex("flame_po_[a-z_]+")]
    private static partial Regex MetricName();

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await _h.Host.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("text/plain");
        return PrometheusText.Parse(text);
    }

    private async Task<PrometheusText> ScrapeUntilAsync(Func<PrometheusText, bool> condition, string what)
    {
        PrometheusText? last = null;
        await Wait.UntilAsync(
            async () => condition(last = await ScrapeAsync()),
            TimeSpan.FromSeconds(30),
            what,
            TimeSpan.FromMilliseconds(200),
            details: () => $"Last scrape:\n{string.Join('\n', last?.Samples.Where(s => s.Name.StartsWith("flame_po_", StringComparison.Ordinal)) ?? [])}");
        return last!;
    }

    private async Task StreamAsync(string analysisId, string text, string key)
    {
        var body = new JsonObject { ["log"] = text, ["log_type"] = "info", ["analysis_id"] = analysisId, ["status"] = "executing" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/stream_logs") { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", _h.Sandbox.Tokens.Analysis(analysisId));
        request.Headers.Add("Idempotency-Key", key);
        using var response = await _h.Host.Http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        return await _h.Host.Http.SendAsync(request);
    }
}
