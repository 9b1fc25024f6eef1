using System.Net;
using Flame.Po.Api.Events;
using Flame.Po.Core.Analyses;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Api;

/// <summary><c>GET /po/events</c> over HTTP against the whole host (embedded pub/sub).</summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiEventsTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private AnalysisEventHub Hub => f.H.Host.Services.GetRequiredService<AnalysisEventHub>();

    [Fact]
    public async Task A_management_client_sees_every_transition_of_a_new_analysis_as_server_sent_events()
    {
        await using var stream = await EventStreamReader.OpenAsync(f.Http, f.H.Sandbox.Tokens.Management());
        stream.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        stream.Response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        stream.Response.Headers.CacheControl!.NoCache.Should().BeTrue();
        await stream.WaitForCommentAsync("connected", Wait);

        var id = await f.CreateExecutingAsync();
        var started = await stream.ReadUntilAsync(e => e.AnalysisId == id && e.To == AnalysisStatus.Executing, Wait);
        (await f.SendAsync(HttpMethod.Put, $"/po/stop/{id}", f.H.Sandbox.Tokens.Management())).EnsureSuccessStatusCode();
        var stopped = await stream.ReadUntilAsync(e => e.AnalysisId == id && e.To == AnalysisStatus.Stopped, Wait);

        var mine = started.Concat(stopped).Where(e => e.AnalysisId == id).ToList();
        mine.Select(e => e.To).Should().StartWith(AnalysisStatus.Starting).And.EndWith(AnalysisStatus.Stopped);
        mine.Select(e => e.To).Should().Contain(AnalysisStatus.Executing);
        mine.Select(e => e.Data.GetProperty("sequence").GetInt64()).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        foreach (var e in mine)
        {
            e.Name.Should().Be("analysis");
            e.Id.Should().Be($"{id}:{e.Data.GetProperty("sequence").GetInt64()}");
            e.Data.GetProperty("event_id").GetString().Should().Be(e.Id);
            e.Data.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
                ["event_id", "analysis_id", "sequence", "deployment_name", "from", "to", "reason", "restart_counter", "progress", "time", "deleted"]);
            e.Data.GetProperty("deployment_name").GetString().Should().Be($"analysis-{id}-1");
        }

        mine[^1].Data.GetProperty("reason").GetString().Should().NotBeNullOrEmpty();
        await stream.WaitForCommentAsync("keep-alive", Wait);
    }

    [Fact]
    public async Task A_client_that_disconnects_is_released()
    {
        // A stream of an earlier test on this fixture may still be being released: start from none.
        await Flame.Testing.Wait.UntilAsync(() => Hub.Count == 0, TimeSpan.FromSeconds(10), poll: TimeSpan.FromMilliseconds(50));
        var before = Hub.Count;
        var stream = await EventStreamReader.OpenAsync(f.Http, f.H.Sandbox.Tokens.Management());
        await stream.WaitForCommentAsync("connected", Wait);
        Hub.Count.Should().Be(before + 1);

        await stream.DisposeAsync();

        await Flame.Testing.Wait.UntilAsync(() => Hub.Count <= before, TimeSpan.FromSeconds(10), poll: TimeSpan.FromMilliseconds(50));

        Hub.Count.Should().Be(before);
    }

    [Fact]
    public async Task Tokens_without_management_rights_get_no_stream()
    {
        using var none = await f.SendAsync(HttpMethod.Get, "/po/events", null);
        using var analysis = await f.SendAsync(HttpMethod.Get, "/po/events", f.H.Sandbox.Tokens.Analysis(f.Victim));

        await ApiFixture.ShouldBeProblemAsync(none, 401);
        await ApiFixture.ShouldBeProblemAsync(analysis, 403);
    }
}
