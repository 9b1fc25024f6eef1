using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.IntegrationTests.Api;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// The contract scenarios of <c>--target all</c>, run through the Dapr mode as three processes with their (simulated)
/// sidecars: create → executing with progress from streamed logs → executed → archived, with the Hub holding the final
/// status and lines; stop; delete; the auth matrix; internal routes refused without the app token; and the access
/// control of components/config*.yaml.
/// </summary>
public sealed class ThreeProcessTests(ThreeProcessFixture fixture) : IClassFixture<ThreeProcessFixture>
{
    private ThreeProcessHarness H => fixture.H;

    [Fact]
    public async Task An_analysis_runs_to_executed_with_progress_from_its_lines_is_archived_and_the_hub_holds_it()
    {
        var id = Guid.NewGuid().ToString();
        H.Sandbox.Hub.RegisterAnalysis(id);

        using var created = await SendAsync(HttpMethod.Post, "/po/", Management, ApiFixture.CreateBody(id, "harbor.sandbox.local/sim/ok:runtime-400s_progress-5"));
        (await created.Content.ReadAsStringAsync()).Should().Be($$"""{"{{id}}":"starting"}""");

        var executing = await H.WaitForStatusAsync(id, s => s.Status == AnalysisStatus.Executing && s.Progress > 0);
        executing.Progress.Should().BeInRange(1, 99, "progress comes from the lines the analysis streams");
        var done = await H.WaitForStatusAsync(id, s => AnalysisStatus.IsTerminal(s.Status));
        done.Should().Be((AnalysisStatus.Executed, 100));

        // The status is executed before the deployment is archived and torn down: wait for the archive.
        var archived = false;
        for (var i = 0; i < 300 && !archived; i++)
        {
            archived = JsonNode.Parse(await GetStringAsync($"/po/history/{id}"))!["analysis"]![id]!.AsArray().Count > 0;
            await Task.Delay(archived ? 0 : 200);
        }

        archived.Should().BeTrue("the executed deployment is archived");
        await ThreeProcessHarness.WaitUntilAsync(() => H.HubStatus(id) == AnalysisStatus.Executed, "the Hub holds the final status");
        await ThreeProcessHarness.WaitUntilAsync(() => H.Sandbox.Hub.Logs.Any(l => l["analysis_id"]?.GetValue<string>() == id), "the Hub holds the lines");
        // The stop workflow deletes the objects in the activity after the archive's.
        await ThreeProcessHarness.WaitUntilAsync(() => H.ObjectsOf(id).Count == 0, "a finished analysis leaves no Kubernetes object behind");
    }

    [Fact]
    public async Task Stop_and_delete_go_through_the_lifecycle_and_change_nothing_else()
    {
        var id = Guid.NewGuid().ToString();
        H.Sandbox.Hub.RegisterAnalysis(id);
        using (var created = await SendAsync(HttpMethod.Post, "/po/", Management, ApiFixture.CreateBody(id)))
        {
            created.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await H.WaitForStatusAsync(id, s => s.Status == AnalysisStatus.Executing);
        using var stop = await SendAsync(HttpMethod.Put, $"/po/stop/{id}", Management);
        stop.StatusCode.Should().Be(HttpStatusCode.OK);
        (await H.WaitForStatusAsync(id, s => AnalysisStatus.IsTerminal(s.Status))).Status.Should().Be(AnalysisStatus.Stopped);
        await ThreeProcessHarness.WaitUntilAsync(() => H.HubStatus(id) == AnalysisStatus.Stopped, "the Hub is told");

        using var delete = await SendAsync(HttpMethod.Delete, $"/po/delete/{id}", Management);
        delete.StatusCode.Should().Be(HttpStatusCode.OK);
        using var gone = await SendAsync(HttpMethod.Get, $"/po/status/{id}", Management);
        await ApiFixture.ShouldBeProblemAsync(gone, 404);
        using var unknown = await SendAsync(HttpMethod.Put, $"/po/stop/{Guid.NewGuid()}", Management);
        await ApiFixture.ShouldBeProblemAsync(unknown, 404);
        await ThreeProcessHarness.WaitUntilAsync(() => H.ObjectsOf(id).Count == 0, "the objects of a deleted analysis are gone");
    }

    [Fact]
    public async Task The_auth_matrix_holds_through_the_sidecars()
    {
        var id = Guid.NewGuid().ToString();
        using var none = await SendAsync(HttpMethod.Get, "/po/status", null);
        using var analysis = await SendAsync(HttpMethod.Get, "/po/status", H.Sandbox.Tokens.Analysis(id));
        using var management = await SendAsync(HttpMethod.Get, "/po/status", Management);
        using var streamAsManager = await SendAsync(HttpMethod.Post, "/po/stream_logs", Management, new JsonObject
        {
            ["analysis_id"] = id,
            ["log"] = "x",
            ["log_type"] = "info",
            ["status"] = "executing",
        });
        using var streamForOther = await SendAsync(HttpMethod.Post, "/po/stream_logs", H.Sandbox.Tokens.Analysis(id), new JsonObject
        {
            ["analysis_id"] = Guid.NewGuid().ToString(),
            ["log"] = "x",
            ["log_type"] = "info",
            ["status"] = "executing",
        });
        using var badId = await SendAsync(HttpMethod.Get, "/po/status/not-a-uuid", Management);

        await ApiFixture.ShouldBeProblemAsync(none, 401);
        await ApiFixture.ShouldBeProblemAsync(analysis, 403);
        management.StatusCode.Should().Be(HttpStatusCode.OK);
        await ApiFixture.ShouldBeProblemAsync(streamAsManager, 403);
        await ApiFixture.ShouldBeProblemAsync(streamForOther, 403);
        await ApiFixture.ShouldBeProblemAsync(badId, 422);
    }

    [Theory]
    [InlineData("lifecycle", "GET", LifecycleRoutes.Status)]
    [InlineData("lifecycle", "GET", LifecycleRoutes.History)]
    [InlineData("lifecycle", "GET", LifecycleRoutes.Logs)]
    [InlineData("lifecycle", "GET", LifecycleRoutes.Pods)]
    [InlineData("lifecycle", "POST", LifecycleRoutes.Create)]
    [InlineData("lifecycle", "POST", LifecycleRoutes.Stop)]
    [InlineData("lifecycle", "POST", LifecycleRoutes.Delete)]
    [InlineData("lifecycle", "POST", LifecycleRoutes.Cleanup)]
    [InlineData("lifecycle", "POST", "/status-loop")]
    [InlineData("lifecycle", "POST", "/events/lifecycle/analysis-reports")]
    [InlineData("lifecycle", "GET", "/dapr/subscribe")]
    [InlineData("logging", "POST", LoggingRoutes.Ingest)]
    [InlineData("logging", "POST", "/events/logging/analysis-events")]
    [InlineData("api", "POST", "/events/api/analysis-events")]
    public async Task Internal_routes_answer_only_calls_with_the_app_token(string app, string method, string route)
    {
        using var http = new HttpClient { BaseAddress = H.Url(app) };
        var before = await StatusesAsync();
        foreach (var token in new[] { null, "wrong-token" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), route);
            if (token is not null)
            {
                request.Headers.Add("dapr-api-token", token);
            }

            if (method == "POST")
            {
                request.Content = new StringContent("""{"analysis_ids":null,"types":["all"]}""", Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request);

            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"{method} {route} on {app} with token {token ?? "(none)"}");
        }

        (await StatusesAsync()).Should().Be(before, "nothing changed");
    }

    [Fact]
    public async Task Access_control_lets_the_hub_adapter_call_the_api_and_only_the_api_call_the_lifecycle()
    {
        using var adapter = H.SidecarOf("flame-hub-adapter");
        using var intruder = H.SidecarOf("intruder");
        using var api = H.SidecarOf("api");

        using var viaAdapter = await InvokeAsync(adapter, "api", "po/status", Management);
        using var intruderToApi = await InvokeAsync(intruder, "api", "po/status", Management);
        using var adapterToLifecycle = await InvokeAsync(adapter, "lifecycle", LifecycleRoutes.Status.TrimStart('/'), null);
        using var intruderToLogging = await InvokeAsync(intruder, "logging", LoggingRoutes.Ingest.TrimStart('/'), null, HttpMethod.Post);
        using var apiToLifecycle = await InvokeAsync(api, "lifecycle", LifecycleRoutes.Status.TrimStart('/'), null);

        viaAdapter.StatusCode.Should().Be(HttpStatusCode.OK, "flame-hub-adapter may invoke the api's /po routes");
        intruderToApi.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        adapterToLifecycle.StatusCode.Should().Be(HttpStatusCode.Forbidden, "only the api may invoke the lifecycle");
        intruderToLogging.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        apiToLifecycle.StatusCode.Should().Be(HttpStatusCode.OK);
        (await apiToLifecycle.Content.ReadAsStringAsync()).Should().StartWith("{");
    }

    [Fact]
    public async Task Metrics_answer_on_each_process_without_a_token()
    {
        foreach (var app in ThreeProcessHarness.Apps)
        {
            using var http = new HttpClient { BaseAddress = H.Url(app) };
            using var response = await http.GetAsync("/metrics");
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"{app}: {text}");
            response.Content.Headers.ContentType?.MediaType.Should().Be("text/plain", app);
            var names = Telemetry.PrometheusText.Parse(text).Names.ToList();
            names.Contains("flame_po_restarts_total").Should().Be(app == "lifecycle", app);
            names.Contains("flame_po_hub_delivery_failures_total").Should().Be(app == "logging", app);
        }
    }

    private string Management => H.Sandbox.Tokens.Management();

    private static Task<HttpResponseMessage> InvokeAsync(HttpClient sidecar, string appId, string path, string? bearer, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, $"v1.0/invoke/{appId}/method/{path}");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (request.Method == HttpMethod.Post)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return sidecar.SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return await H.Http.SendAsync(request);
    }

    private async Task<string> GetStringAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, Management);
        response.StatusCode.Should().Be(HttpStatusCode.OK, path);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> StatusesAsync() => await GetStringAsync("/po/status");
}
