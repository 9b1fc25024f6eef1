using System.Net;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Logging.Hub;
using Flame.Sandbox.Faults;
using Flame.Testing;

namespace Flame.Po.IntegrationTests.LogService;

/// <summary>
/// Hub claims are short leases renewed while the delivery runs (docs/architecture.md): a delivery that takes longer
/// than one lease keeps its claim, so no other pass or replica takes the analysis over and sends its lines twice.
/// </summary>
public sealed class HubLeaseTests
{
    private const int Lines = 20;

    [Fact]
    public async Task A_delivery_longer_than_its_lease_keeps_the_claim_and_sends_every_line_once()
    {
        await using var h = await LifecycleHarness.StartAsync(
            new Dictionary<string, string?> { ["HUB_LOGGING"] = "true", ["HUB_SYNC_INTERVAL"] = "0.2", ["HUB_RETRY_MAX"] = "1", ["LOG_LEVEL"] = "warning" },
            hub: true);
        await h.StartReplicaAsync();
        var id = Guid.NewGuid().ToString();
        h.Sandbox.Hub.RegisterAnalysis(id);
        (await h.Commands.CreateAsync(LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-360000s", id), CancellationToken.None)).Kind.Should().Be(CommandOutcomeKind.Accepted);
        await h.WaitForAsync(id, r => r.Status == AnalysisStatus.Executing);
        await HubMirror.WaitForDrainedAsync(h, TimeSpan.FromSeconds(60));

        // The lines queue up while the Hub is down, then go in one claim to a Hub that takes a second per request:
        // longer than one lease.
        h.Sandbox.Faults.Add(new FaultRule { Route = "hub:*", StatusCode = 503 });
        for (var i = 0; i < Lines; i++)
        {
            await SendAsync(h, id, $"lease line {i}");
        }

        h.Sandbox.Faults.Clear();
        h.Sandbox.Faults.Add(new FaultRule { Route = "hub:*", Latency = TimeSpan.FromSeconds(1) });
        var beyondLease = (int)HubDelivery.Lease.TotalSeconds + 3;
        await Wait.UntilAsync(() => HubMirror.LogMessages(h, id).Count(m => m.StartsWith("lease line", StringComparison.Ordinal)) >= beyondLease, TimeSpan.FromSeconds(60));
        (await h.Database.CountAsync($"SELECT count(*) FROM hub_sync WHERE analysis_id = '{id}' AND lease_until > now()"))
            .Should().Be(1, "a delivery running longer than the lease renews its claim");

        h.Sandbox.Faults.Clear();
        await HubMirror.WaitForDrainedAsync(h, TimeSpan.FromSeconds(60));
        HubMirror.LogMessages(h, id).Where(m => m.StartsWith("lease line", StringComparison.Ordinal))
            .Should().Equal(Enumerable.Range(0, Lines).Select(i => $"lease line {i}"), "every line reaches the Hub once, in order");
    }

    private static async Task SendAsync(LifecycleHarness h, string analysisId, string message)
    {
        var body = new JsonObject { ["log"] = message, ["log_type"] = "info", ["analysis_id"] = analysisId, ["status"] = "executing" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/stream_logs")
        {
            Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", h.Sandbox.Tokens.Analysis(analysisId));
        using var response = await h.Host.Http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
