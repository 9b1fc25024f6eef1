using System.Net.Http.Headers;
using System.Text;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Dapr;
using Flame.Po.IntegrationTests.Lifecycle;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// <c>GET /po/events</c> with several Api replicas: every replica streams every event, not a competing consumer's share
/// — in Dapr mode through the per-replica pub/sub component, in <c>--target all</c> through PostgreSQL <c>NOTIFY</c>.
/// </summary>
public sealed class EventsReplicaTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_replica_of_the_whole_host_streams_every_event()
    {
        await using var h = await LifecycleHarness.StartAsync(new Dictionary<string, string?> { ["ORPHAN_GRACE"] = "15" }, timeScale: 0.05);
        var replica = await h.StartReplicaAsync();
        // NOTIFY is live only: both hosts must listen before the create announces its first event.
        await Flame.Testing.Wait.UntilAsync(
            async () => await h.Database.CountAsync(
                $"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN {Flame.Po.Dapr.Embedded.FanOutListener.Channel}'") == 2,
            Wait,
            "both hosts to listen for events");
        var token = h.Sandbox.Tokens.Management();
        await using var first = await EventStreamReader.OpenAsync(h.Host.Http, token);
        await using var second = await EventStreamReader.OpenAsync(replica.Http, token);
        await first.WaitForCommentAsync("connected", Wait);
        await second.WaitForCommentAsync("connected", Wait);

        var id = Guid.NewGuid().ToString();
        using (var created = await CreateAsync(h.Host.Http, token, id))
        {
            created.EnsureSuccessStatusCode();
        }

        var seenByFirst = await ThroughExecutingAsync(first, id);
        var seenBySecond = await ThroughExecutingAsync(second, id);
        seenBySecond.Should().Equal(seenByFirst, "both replicas stream the same events");
        seenByFirst.Should().StartWith(1L);
    }

    [Fact]
    public async Task Every_api_replica_in_dapr_mode_streams_every_event()
    {
        await using var h = await ThreeProcessHarness.StartAsync(apiReplicas: 2);
        var token = h.Sandbox.Tokens.Management();
        using var other = new HttpClient { BaseAddress = h.Url("api#1") };
        await using var first = await EventStreamReader.OpenAsync(h.Http, token);
        await using var second = await EventStreamReader.OpenAsync(other, token);
        await first.WaitForCommentAsync("connected", Wait);
        await second.WaitForCommentAsync("connected", Wait);

        var id = Guid.NewGuid().ToString();
        using (var created = await CreateAsync(other, token, id))
        {
            created.EnsureSuccessStatusCode();
        }

        var seenByFirst = await ThroughExecutingAsync(first, id);
        var seenBySecond = await ThroughExecutingAsync(second, id);
        seenBySecond.Should().Equal(seenByFirst, "both replicas stream the same events");
        h.Sim.ConsumerGroups("pubsub-replicas", "analysis-events").Where(g => g.StartsWith("api-", StringComparison.Ordinal)).Should()
            .HaveCount(2, "one consumer group per api replica, beside the logging service's on the same stream");
    }

    /// <summary>
    /// The analysis's event sequences from 1 through its <c>executing</c> event, in order. A sidecar delivers messages
    /// concurrently, so a replica may stream them out of order (each carries its sequence for that): reads until every
    /// sequence up to the executing one has arrived; one that never arrives fails the read.
    /// </summary>
    private static async Task<List<long>> ThroughExecutingAsync(EventStreamReader reader, string id)
    {
        var deadline = DateTime.UtcNow + Wait;
        var seen = new SortedSet<long>();
        long? executing = null;
        while (executing is not { } last || !Enumerable.Range(1, (int)last).All(n => seen.Contains(n)))
        {
            var next = await reader.NextAsync(deadline - DateTime.UtcNow);
            if (next.AnalysisId != id)
            {
                continue;
            }

            var sequence = next.Data.GetProperty("sequence").GetInt64();
            seen.Add(sequence);
            executing ??= next.To == AnalysisStatus.Executing ? sequence : null;
        }

        return seen.Where(n => n <= executing).ToList();
    }

    private static Task<HttpResponseMessage> CreateAsync(HttpClient http, string token, string id)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/po/")
        {
            Content = new StringContent(ApiFixture.CreateBody(id).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }
}
