using System.Net;
using System.Text.Json.Nodes;
using Flame.Po.IntegrationTests.Lifecycle;

namespace Flame.Po.IntegrationTests.LogService;

/// <summary>
/// Two replicas store the lines of one analysis (its requests are spread over the Service's endpoints). A replica
/// writes lines from the stream row it remembers from its own last write (one round trip) only while nobody else
/// changed that row; otherwise it decides under the row lock, from the row as it is now.
/// </summary>
public sealed class StreamLogsReplicaTests
{
    [Fact]
    public async Task A_replica_decides_a_retry_from_the_line_another_replica_stored_after_its_own()
    {
        await using var h = await LifecycleHarness.StartAsync(commandsOnly: true);
        var replica = await h.StartReplicaAsync();
        var id = Guid.NewGuid().ToString();

        await StoreAsync(h, h.Host.Http, id, "epoch 1");
        await StoreAsync(h, h.Host.Http, id, "epoch 2");
        await StoreAsync(h, replica.Http, id, "epoch 3");

        // The SDK's retry of "epoch 3" reaches the first replica, whose own last line was "epoch 2": a retry of the
        // analysis' last stored line, so stored once. Then "epoch 2" again: no longer the last line, so stored.
        await StoreAsync(h, h.Host.Http, id, "epoch 3");
        await StoreAsync(h, h.Host.Http, id, "epoch 2");
        await StoreAsync(h, replica.Http, id, "epoch 2");

        (await LogRows.OfAsync(h, id)).Select(r => r.Message).Should().Equal("epoch 1", "epoch 2", "epoch 3", "epoch 2");
    }

    private static async Task StoreAsync(LifecycleHarness h, HttpClient http, string analysisId, string message)
    {
        var body = new JsonObject { ["log"] = message, ["log_type"] = "info", ["analysis_id"] = analysisId, ["status"] = "executing" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/stream_logs")
        {
            Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", h.Sandbox.Tokens.Analysis(analysisId));
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
