using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Dapr;
using Flame.Po.IntegrationTests.Support;
using Flame.Sandbox;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// <c>GET /po/events</c> in <c>--target api</c> with a Dapr sidecar: the same subscriber is announced on
/// <c>/dapr/subscribe</c> and fed by the sidecar's deliveries (Dapr docs, Publish and subscribe: programmatic
/// subscriptions).
/// </summary>
public sealed class ApiEventsDaprTests : IAsyncLifetime
{
    private const string Route = "/events/api/analysis-events";
    private const string AnalysisId = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

    private SandboxServer _sandbox = null!;
    private TestDatabase _db = null!;
    private SimulatedSidecar _sidecar = null!;
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        _db = await TestPostgres.CreateDatabaseAsync();
        _sidecar = await SimulatedSidecar.StartAsync(appId: "api");
        var settings = new Dictionary<string, string?>(_sidecar.HostSettings(_db.EnvironmentValues()))
        {
            ["KEYCLOAK_URL"] = _sandbox.KeycloakBaseUrl,
        };
        _host = await RunningHost.StartAsync(HostTarget.Api, settings);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sidecar.DisposeAsync();
        await _db.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task The_api_subscribes_through_dapr_and_streams_each_delivered_event_once()
    {
        // On the per-replica component: every Api replica sees every event.
        var subscriptions = await DaprAppEndpointTests.SubscriptionsAsync(_host);
        subscriptions.Should().Contain(("pubsub-replicas", "analysis-events", Route));
        await using var stream = await EventStreamReader.OpenAsync(_host.Http, _sandbox.Tokens.Management());
        stream.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        await stream.WaitForCommentAsync("connected", TimeSpan.FromSeconds(10));

        var first = await DeliverAsync(Event(1, "started"));
        var redelivered = await DeliverAsync(Event(1, "started"));
        var second = await DeliverAsync(Event(2, "executing"));
        var poison = await DeliverAsync("""{"analysis_id":"not an event"}""");

        first.Should().Be("SUCCESS");
        redelivered.Should().Be("SUCCESS");
        second.Should().Be("SUCCESS");
        poison.Should().Be("DROP");
        var one = await stream.NextAsync(TimeSpan.FromSeconds(10));
        var two = await stream.NextAsync(TimeSpan.FromSeconds(10));
        (one.Id, one.Name, one.To).Should().Be(($"{AnalysisId}:1", "analysis", "started"));
        (two.Id, two.To).Should().Be(($"{AnalysisId}:2", "executing"), "the redelivery of event 1 is not streamed twice");
    }

    [Fact]
    public async Task The_stream_needs_a_management_token_in_this_target_too()
    {
        using var none = await _host.Http.GetAsync("/po/events");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/po/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _sandbox.Tokens.Analysis(AnalysisId));
        using var analysis = await _host.Http.SendAsync(request);

        await ApiFixture.ShouldBeProblemAsync(none, 401);
        await ApiFixture.ShouldBeProblemAsync(analysis, 403);
    }

    private static string Event(long sequence, string to) => $$"""
        {"event_id":"{{AnalysisId}}:{{sequence}}","analysis_id":"{{AnalysisId}}","sequence":{{sequence}},
         "deployment_name":"analysis-{{AnalysisId}}-1","from":null,"to":"{{to}}","reason":"test","restart_counter":1,
         "progress":0,"time":"2026-11-22T05:00:00Z","deleted":false}
        """;

    /// <summary>Posts <paramref name="data"/> wrapped in a CloudEvent, as daprd does; returns the app's status answer.</summary>
    private async Task<string> DeliverAsync(string data)
    {
        var body = $$"""
            {"specversion":"1.0","type":"com.dapr.event.sent","source":"lifecycle","id":"{{Guid.NewGuid()}}",
             "datacontenttype":"application/json","topic":"analysis-events","pubsubname":"pubsub-replicas","data":{{data}}}
            """;
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var response = await _host.Http.PostAsync(Route, content);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!;
    }
}
