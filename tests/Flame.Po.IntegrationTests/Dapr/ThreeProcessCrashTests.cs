using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Api;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// The lifecycle process killed (SIGKILL) in the middle of a scenario in three-process mode and started again: no
/// transition is lost (every analysis ends as it would have, and the Hub is told), no log line the Api acknowledged
/// is lost, and no Kubernetes object is left behind.
/// </summary>
public sealed class ThreeProcessCrashTests
{
    [Fact]
    public async Task Killing_the_lifecycle_mid_scenario_loses_no_transition_no_line_and_leaves_no_object()
    {
        await using var h = await ThreeProcessHarness.StartAsync();
        var executing = Guid.NewGuid().ToString();
        var stopped = Guid.NewGuid().ToString();
        foreach (var id in new[] { executing, stopped })
        {
            h.Sandbox.Hub.RegisterAnalysis(id);
            using var created = await SendAsync(h, HttpMethod.Post, "/po/", ApiFixture.CreateBody(id, id == executing ? "harbor.sandbox.local/sim/ok:runtime-600s_progress-5" : ApiFixture.Image).ToJsonString());
            created.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await WaitForStatusAsync(h, executing, s => s == AnalysisStatus.Executing);
        await WaitForStatusAsync(h, stopped, s => s == AnalysisStatus.Executing);
        var acknowledged = await StreamLinesAsync(h, executing, "before the kill", 5);

        await h.KillAsync("lifecycle");
        // While the lifecycle is down the Api still takes lines (logging is up) and answers reads with 503.
        acknowledged += await StreamLinesAsync(h, executing, "while the lifecycle is down", 5);
        using (var status = await SendAsync(h, HttpMethod.Get, "/po/status", null))
        {
            await ApiFixture.ShouldBeProblemAsync(status, 503);
        }

        h.Start("lifecycle");
        await h.WaitForReadyAsync("lifecycle");
        using (var stop = await SendAsync(h, HttpMethod.Put, $"/po/stop/{stopped}", null))
        {
            stop.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await WaitForStatusAsync(h, executing, AnalysisStatus.IsTerminal)).Should().Be(AnalysisStatus.Executed);
        (await WaitForStatusAsync(h, stopped, AnalysisStatus.IsTerminal)).Should().Be(AnalysisStatus.Stopped);
        await WaitUntilAsync(() => HubStatus(h, executing) == AnalysisStatus.Executed && HubStatus(h, stopped) == AnalysisStatus.Stopped, "the Hub holds both final statuses");
        (await h.Database.CountAsync($"SELECT count(*) FROM log_line WHERE analysis_id = '{executing}' AND message LIKE 'acknowledged %'"))
            .Should().Be(acknowledged, "every line the Api acknowledged is stored");
        await WaitUntilAsync(() => ObjectsOf(h, executing).Count == 0 && ObjectsOf(h, stopped).Count == 0, "no object is left behind");
    }

    private static async Task<int> StreamLinesAsync(ThreeProcessHarness h, string id, string when, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/po/stream_logs")
            {
                Content = new StringContent(
                    JsonSerializer.Serialize(new { analysis_id = id, log = $"acknowledged {when} #{i}", log_type = "info", status = "executing" }),
                    Encoding.UTF8,
                    "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Sandbox.Tokens.Analysis(id));
            using var response = await h.Http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        return count;
    }

    private static async Task<HttpResponseMessage> SendAsync(ThreeProcessHarness h, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Sandbox.Tokens.Management());
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await h.Http.SendAsync(request);
    }

    private static async Task<string> WaitForStatusAsync(ThreeProcessHarness h, string id, Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        var last = "(none)";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await SendAsync(h, HttpMethod.Get, $"/po/status/{id}", null);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                last = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty(id).GetProperty("status").GetString()!;
                if (condition(last))
                {
                    return last;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{id} never reached the expected status; last {last}");
    }

    private static string? HubStatus(ThreeProcessHarness h, string id) =>
        h.Sandbox.Hub.AnalysisNode(id, h.Sandbox.Hub.OwnNodeId)?["execution_status"]?.GetValue<string>();

    private static List<string> ObjectsOf(ThreeProcessHarness h, string id) =>
        new[] { "deployments", "services", "networkpolicies", "configmaps", "secrets", "pods" }
            .SelectMany(kind => h.Sandbox.Objects.List(kind, h.Sandbox.Namespace).Select(o => $"{kind}/{o["metadata"]?["name"]}"))
            .Where(name => name.Contains(id, StringComparison.Ordinal))
            .ToList();

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, what);
            await Task.Delay(200);
        }
    }
}
