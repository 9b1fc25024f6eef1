using System.Text.Json;
using Flame.Po.Core;
using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.State;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox.Faults;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// <c>/po/history</c>, <c>/po/logs</c> and <c>/po/pods</c> over HTTP against the whole host and the sandbox
/// (docs/compatibility.md#history, #logs and #pods, and the fixes of docs/compatibility.md#b4, #b7, #b17 and #b27).
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiPodLogsTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    /// <summary>Text that the old sanitiser deleted (non-ASCII) and that must survive now.</summary>
    private const string Unicode = "Grüße aus Köln — 東京 ✓ ñ";

    private string Token => f.H.Sandbox.Tokens.Management();

    private string Namespace => f.H.Sandbox.Namespace;

    [Fact]
    public async Task Pods_are_real_arrays_of_the_current_pod_names_read_live_by_label()
    {
        var id = await f.CreateExecutingAsync();
        var app = WorkloadNames.For(id, 1).Deployment;

        var all = await f.GetJsonAsync("/po/pods");
        var one = await f.GetJsonAsync($"/po/pods/{id.ToUpperInvariant()}");

        var current = PodNames(app);
        current.Should().ContainSingle();
        all.GetProperty(id).EnumerateArray().Select(p => p.GetString()).Should().Equal(current);
        all.GetProperty(f.Victim).ValueKind.Should().Be(JsonValueKind.Array);
        one.EnumerateObject().Select(p => p.Name).Should().Equal(id);
        one.GetProperty(id).EnumerateArray().Select(p => p.GetString()).Should().Equal(current);

        // Kubernetes replaces the pod: the answer follows the cluster, not a list recorded at creation (docs/compatibility.md#pods).
        f.H.Sandbox.Objects.Delete("pods", Namespace, current[0]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<string?> names;
        do
        {
            await Task.Delay(100);
            names = (await f.GetJsonAsync($"/po/pods/{id}")).GetProperty(id).EnumerateArray().Select(p => p.GetString()).ToList();
        }
        while ((names.Count != 1 || names[0] == current[0]) && DateTime.UtcNow < deadline);

        names.Should().ContainSingle().Which.Should().NotBe(current[0]).And.StartWith(app + "-");
        names.Should().Equal(PodNames(app));
    }

    [Fact]
    public async Task Pods_of_an_unknown_analysis_are_404()
    {
        using var response = await f.SendAsync(HttpMethod.Get, $"/po/pods/{Guid.NewGuid()}", Token);

        await ApiFixture.ShouldBeProblemAsync(response, 404);
    }

    [Fact]
    public async Task Live_logs_read_the_current_pods_and_sanitise_but_keep_non_ascii_text()
    {
        var id = await f.CreateExecutingAsync();
        var names = WorkloadNames.For(id, 1);
        Write(names.Deployment,
            "INFO: uvicorn chatter that is dropped",
            """10.244.0.7:41234 - "GET /healthz HTTP/1.0" 200 OK""",
            """10.244.0.9:5000 - "POST /webhook HTTP/1.1" 200 OK""",
            """10.244.0.9:5000 - "POST /webhook HTTP/1.1" 500 Internal Server Error""",
            "epoch 3: " + Unicode,
            "bell\u0007 and tab\there",
            "\u001b[31mcoloured\u001b[0m text");
        Write(names.Nginx, "nginx marker line");

        var one = await f.GetJsonAsync($"/po/logs/{id.ToUpperInvariant()}");
        var all = await f.GetJsonAsync("/po/logs");

        one.EnumerateObject().Select(p => p.Name).Should().Equal("analysis", "nginx");
        one.GetProperty("analysis").EnumerateObject().Select(p => p.Name).Should().Equal(id);
        var analysis = one.GetProperty("analysis").GetProperty(id).EnumerateArray().Select(e => e.GetString()!).ToList();
        var log = analysis.Should().ContainSingle("one pod with one container attempt").Which;
        log.Should().Contain("epoch 3: " + Unicode);
        log.Should().Contain("bell and tab\there").And.Contain("coloured text");
        log.Should().Contain("\"POST /webhook HTTP/1.1\" 500", "only successful probe and webhook lines are noise");
        log.Should().NotContain("INFO:").And.NotContain("GET /healthz").And.NotContain("\"POST /webhook HTTP/1.1\" 200").And.NotContain("\u001b");
        one.GetProperty("nginx").GetProperty(id).EnumerateArray().Should().ContainSingle().Which.GetString().Should().Contain("nginx marker line");
        all.GetProperty("analysis").GetProperty(id).EnumerateArray().Single().GetString().Should().Contain(Unicode);
        all.GetProperty("analysis").TryGetProperty(f.Victim, out _).Should().BeTrue("every running analysis with pods is listed, not only one");
        all.GetProperty("nginx").GetProperty(id).EnumerateArray().Should().ContainSingle();
    }

    [Fact]
    public async Task A_pod_log_that_cannot_be_read_is_skipped_not_a_500()
    {
        f.H.Sandbox.Faults.Add(new FaultRule { Route = "k8s:get:pods/log", StatusCode = 500 });
        JsonElement one;
        JsonElement all;
        try
        {
            one = await f.GetJsonAsync($"/po/logs/{f.Victim}");
            all = await f.GetJsonAsync("/po/logs");
        }
        finally
        {
            f.H.Sandbox.Faults.Clear();
        }

        one.GetProperty("analysis").GetProperty(f.Victim).GetArrayLength().Should().Be(0);
        one.GetProperty("nginx").GetProperty(f.Victim).GetArrayLength().Should().Be(0);
        all.GetProperty("analysis").GetProperty(f.Victim).GetArrayLength().Should().Be(0);
        (await f.GetJsonAsync($"/po/logs/{f.Victim}")).GetProperty("nginx").GetProperty(f.Victim).GetArrayLength().Should().Be(1, "without the fault the log is read again");
    }

    [Fact]
    public async Task Live_logs_of_an_unknown_analysis_are_404_and_a_finished_one_has_empty_lists()
    {
        var id = await f.CreateExecutingAsync();
        (await f.SendAsync(HttpMethod.Put, $"/po/stop/{id}", Token)).EnsureSuccessStatusCode();
        await f.H.WaitForAsync(id, r => r.Phase == LifecyclePhase.Finished);
        await Wait.UntilAsync(() => PodNames(WorkloadNames.For(id, 1).Deployment).Count == 0, TimeSpan.FromSeconds(30));

        using var unknown = await f.SendAsync(HttpMethod.Get, $"/po/logs/{Guid.NewGuid()}", Token);
        var finished = await f.GetJsonAsync($"/po/logs/{id}");
        var all = await f.GetJsonAsync("/po/logs");

        await ApiFixture.ShouldBeProblemAsync(unknown, 404);
        finished.GetProperty("analysis").GetProperty(id).GetArrayLength().Should().Be(0);
        finished.GetProperty("nginx").GetProperty(id).GetArrayLength().Should().Be(0);
        all.GetProperty("analysis").TryGetProperty(id, out _).Should().BeFalse("a finished analysis' logs are in /po/history");
    }

    [Fact]
    public async Task History_keeps_the_stop_snapshot_and_a_second_stop_does_not_erase_it()
    {
        var id = await f.CreateExecutingAsync();
        var names = WorkloadNames.For(id, 1);
        Write(names.Deployment, "before the stop: " + Unicode);
        Write(names.Nginx, "nginx saw the stop");

        using var stop = await f.SendAsync(HttpMethod.Put, $"/po/stop/{id}", Token);
        stop.EnsureSuccessStatusCode();
        await f.H.WaitForAsync(id, r => r.Phase == LifecyclePhase.Finished);
        var first = await f.GetJsonAsync($"/po/history/{id}");
        using var again = await f.SendAsync(HttpMethod.Put, $"/po/stop/{id}", Token);
        again.EnsureSuccessStatusCode();
        await f.H.WaitForAsync(id, r => r.Phase == LifecyclePhase.Finished);

        // A second archiver of the same deployment (another replica, a retry after a crash) must not win either.
        var record = (await f.RecordAsync(id))!;
        await f.H.Host.Services.GetRequiredService<AnalysisArchive>().StoreAsync(record, new LogSnapshot(), CancellationToken.None);
        await Task.Delay(500);
        var second = await f.GetJsonAsync($"/po/history/{id}");

        first.EnumerateObject().Select(p => p.Name).Should().Equal("analysis", "nginx");
        first.GetProperty("analysis").EnumerateObject().Select(p => p.Name).Should().Equal(id);
        first.GetProperty("analysis").GetProperty(id).EnumerateArray().Should().ContainSingle().Which.GetString().Should().Contain("before the stop: " + Unicode);
        first.GetProperty("nginx").GetProperty(id).EnumerateArray().Should().ContainSingle().Which.GetString().Should().Contain("nginx saw the stop");
        second.GetRawText().Should().Be(first.GetRawText(), "a second stop keeps the first snapshot (docs/compatibility.md#b27)");
        (await f.H.Host.Services.GetRequiredService<AnalysisArchive>().ListAsync(id, CancellationToken.None)).Should().ContainSingle();
        (await f.GetJsonAsync("/po/history")).GetProperty("analysis").GetProperty(id).GetRawText().Should().Be(first.GetProperty("analysis").GetProperty(id).GetRawText());
    }

    [Fact]
    public async Task History_includes_executed_runs_and_every_restart_oldest_first()
    {
        var executed = Guid.NewGuid().ToString();
        var restarted = Guid.NewGuid().ToString();
        (await f.SendAsync(HttpMethod.Post, "/po/", Token, ApiFixture.CreateBody(executed, "harbor.sandbox.local/sim/ok:runtime-2s_progress-2"))).EnsureSuccessStatusCode();
        (await f.SendAsync(HttpMethod.Post, "/po/", Token, ApiFixture.CreateBody(restarted, "harbor.sandbox.local/sim/stuck"))).EnsureSuccessStatusCode();

        var done = await f.H.WaitForAsync(executed, r => r.Phase == LifecyclePhase.Finished);
        await f.H.WaitForAsync(restarted, r => r.RestartCounter >= 3, TimeSpan.FromSeconds(90));
        using var stop = await f.SendAsync(HttpMethod.Put, $"/po/stop/{restarted}", Token);
        stop.EnsureSuccessStatusCode();
        var stopped = await f.H.WaitForAsync(restarted, r => r.Phase == LifecyclePhase.Finished, TimeSpan.FromSeconds(60));
        var history = await f.GetJsonAsync("/po/history");
        var one = await f.GetJsonAsync($"/po/history/{restarted}");

        done.Status.Should().Be(AnalysisStatus.Executed, done.Reason);
        history.GetProperty("analysis").GetProperty(executed).GetArrayLength().Should().BeGreaterThan(0, "executed runs are archived (docs/compatibility.md#b7)");
        history.GetProperty("nginx").GetProperty(executed).GetArrayLength().Should().BeGreaterThan(0);
        var archived = await f.H.Host.Services.GetRequiredService<AnalysisArchive>().ListAsync(restarted, CancellationToken.None);
        archived.Select(a => a.DeploymentName).Should().HaveCount(stopped.RestartCounter).And.OnlyHaveUniqueItems();
        var expected = archived.SelectMany(a => a.Logs.Analysis).Select(PodLogSanitizer.Sanitize).ToList();
        one.GetProperty("analysis").GetProperty(restarted).EnumerateArray().Select(e => e.GetString()).Should().Equal(expected, "one text per attempt of every deployment, oldest first");
        expected.Should().Contain(log => log.Contains("analysis is stuck", StringComparison.Ordinal));
        history.GetProperty("analysis").GetProperty(restarted).GetArrayLength().Should().Be(expected.Count);
    }

    [Fact]
    public async Task History_of_a_running_analysis_is_empty_lists_and_of_an_unknown_one_404()
    {
        var running = await f.GetJsonAsync($"/po/history/{f.Victim}");
        using var unknown = await f.SendAsync(HttpMethod.Get, $"/po/history/{Guid.NewGuid()}", Token);

        running.GetRawText().Should().Be($$$"""{"analysis":{"{{{f.Victim}}}":[]},"nginx":{"{{{f.Victim}}}":[]}}""");
        await ApiFixture.ShouldBeProblemAsync(unknown, 404);
    }

    [Theory]
    [InlineData(LifecycleRoutes.History)]
    [InlineData(LifecycleRoutes.Logs)]
    [InlineData(LifecycleRoutes.Pods)]
    public async Task The_lifecycle_routes_check_the_selection_themselves(string route)
    {
        // Through Dapr another app could call these routes: they do not rely on the Api's validation.
        using var channel = AppChannelHttp.Create(f.H.Host.Services);
        foreach (var id in new[] { f.Victim.ToUpperInvariant(), "all", f.Victim + "," + f.Victim })
        {
            using var response = await channel.GetAsync(LifecycleRoutes.For(route, id));

            ((int)response.StatusCode).Should().Be(422, $"{route} {id}");
        }

        using var all = await channel.GetAsync(route);
        ((int)all.StatusCode).Should().Be(200);
    }

    private void Write(string app, params string[] lines)
    {
        foreach (var line in lines)
        {
            f.H.Sandbox.WriteContainerLog(app, line).Should().BeGreaterThan(0, $"pods of {app} run");
        }
    }

    private List<string> PodNames(string app) =>
        f.H.Sandbox.Objects.List("pods", Namespace, $"{WorkloadLabels.App}={app}")
            .Select(p => p["metadata"]!["name"]!.GetValue<string>())
            .Order(StringComparer.Ordinal)
            .ToList();
}
