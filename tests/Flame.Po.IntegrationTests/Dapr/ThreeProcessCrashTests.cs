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
            using var created = await h.CallAsync(HttpMethod.Post, "/po/", ApiFixture.CreateBody(id, id == executing ? "harbor.sandbox.local/sim/ok:runtime-600s_progress-5" : ApiFixture.Image));
            created.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await h.WaitForStatusAsync(executing, s => s.Status == AnalysisStatus.Executing);
        await h.WaitForStatusAsync(stopped, s => s.Status == AnalysisStatus.Executing);
        var acknowledged = await StreamLinesAsync(h, executing, "before the kill", 5);

        await h.KillAsync("lifecycle");
        // While the lifecycle is down the Api still takes lines (logging is up) and answers reads with 503.
        acknowledged += await StreamLinesAsync(h, executing, "while the lifecycle is down", 5);
        using (var status = await h.CallAsync(HttpMethod.Get, "/po/status"))
        {
            await ApiFixture.ShouldBeProblemAsync(status, 503);
        }

        h.Start("lifecycle");
        await h.WaitForReadyAsync("lifecycle");
        using (var stop = await h.CallAsync(HttpMethod.Put, $"/po/stop/{stopped}"))
        {
            stop.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await h.WaitForStatusAsync(executing, s => AnalysisStatus.IsTerminal(s.Status))).Status.Should().Be(AnalysisStatus.Executed);
        (await h.WaitForStatusAsync(stopped, s => AnalysisStatus.IsTerminal(s.Status))).Status.Should().Be(AnalysisStatus.Stopped);
        await ThreeProcessHarness.WaitUntilAsync(() => h.HubStatus(executing) == AnalysisStatus.Executed && h.HubStatus(stopped) == AnalysisStatus.Stopped, "the Hub holds both final statuses");
        (await h.Database.CountAsync($"SELECT count(*) FROM log_line WHERE analysis_id = '{executing}' AND message LIKE 'acknowledged %'"))
            .Should().Be(acknowledged, "every line the Api acknowledged is stored");
        await ThreeProcessHarness.WaitUntilAsync(() => h.ObjectsOf(executing).Count == 0 && h.ObjectsOf(stopped).Count == 0, "no object is left behind");
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
}
