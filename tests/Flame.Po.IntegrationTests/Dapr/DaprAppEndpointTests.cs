using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// The routes daprd calls on the app, driven over HTTP with the payloads daprd sends (Dapr docs, Publish and
/// subscribe and Bindings API reference), against the whole host running in Dapr mode.
/// </summary>
public sealed class DaprAppEndpointTests : IAsyncLifetime
{
    private const string Route = "/events/analysis";

    /// <summary>A CloudEvent as daprd delivers it to a subscriber (content type application/cloudevents+json).</summary>
    private const string DeliveredEvent = """
        {"specversion":"1.0","type":"com.dapr.event.sent","source":"lifecycle","id":"5929aaac-a5e2-4ca1-859c-edfe73f11565",
         "time":"2026-11-22T05:00:00Z","datacontenttype":"application/json","topic":"analysis-events","pubsubname":"pubsub",
         "traceid":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
         "tracestate":"","data":{"analysis_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","to":"executing"}}
        """;

    private const string TestTopic = "test-events";

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    public sealed class ScriptedSubscriber : ISubscriber
    {
        public static readonly ConcurrentOutcomes Outcomes = new();

        public Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken)
        {
            Outcomes.Received.Enqueue(data);
            return Outcomes.Next.TryDequeue(out var next)
                ? next is { } outcome ? Task.FromResult(outcome) : throw new InvalidOperationException("handler failure")
                : Task.FromResult(EventOutcome.Success);
        }
    }

    public sealed class ConcurrentOutcomes
    {
        public System.Collections.Concurrent.ConcurrentQueue<EventOutcome?> Next { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<JsonElement> Received { get; } = new();
    }

    [Fact]
    public async Task Subscribe_lists_every_subscription_for_daprd()
    {
        await using var sidecar = await SimulatedSidecar.StartAsync();
        await using var host = await StartAsync(sidecar);

        var json = await SubscriptionsAsync(host);

        json.Should().BeEquivalentTo(
        [
            ("pubsub", TestTopic, "/events/analysis"),
            ("pubsub-replicas", "analysis-events", "/events/api/analysis-events"),
            ("pubsub", "analysis-reports", "/events/lifecycle/analysis-reports"),
            ("pubsub", "analysis-events", "/events/logging/analysis-events"),
        ]);
    }

    [Theory]
    [InlineData(EventOutcome.Success, "SUCCESS")]
    [InlineData(EventOutcome.Retry, "RETRY")]
    [InlineData(EventOutcome.Drop, "DROP")]
    [InlineData(null, "RETRY")]
    public async Task A_delivered_cloud_event_reaches_the_subscriber_and_its_answer_goes_back(EventOutcome? outcome, string status)
    {
        await using var sidecar = await SimulatedSidecar.StartAsync();
        await using var host = await StartAsync(sidecar);
        while (ScriptedSubscriber.Outcomes.Next.TryDequeue(out _))
        {
        }

        ScriptedSubscriber.Outcomes.Next.Enqueue(outcome);

        using var response = await host.Http.PostAsync(Route, CloudEventContent(DeliveredEvent));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString().Should().Be(status);
        // UseCloudEvents hands the subscriber the CloudEvent's data.
        var received = ScriptedSubscriber.Outcomes.Received.Last();
        received.GetProperty("analysis_id").GetString().Should().Be("3fa85f64-5717-4562-b3fc-2c963f66afa6");
        received.GetProperty("to").GetString().Should().Be("executing");
    }

    [Fact]
    public async Task A_body_that_is_not_a_cloud_event_is_dropped_not_retried_forever()
    {
        await using var sidecar = await SimulatedSidecar.StartAsync();
        await using var host = await StartAsync(sidecar);

        using var response = await host.Http.PostAsync(Route, CloudEventContent("{not json"));

        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString().Should().Be("DROP");
    }

    [Fact]
    public async Task The_cron_binding_answers_options_and_each_post_is_a_status_loop_tick()
    {
        await using var sidecar = await SimulatedSidecar.StartAsync(cron: false);
        await using var host = await StartAsync(sidecar);

        var before = await host.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable);
        using var options = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/status-loop"));
        using var tick = await host.Http.PostAsync("/status-loop", new StringContent("", Encoding.UTF8, "application/json"));
        var after = await host.WaitForReadinessAsync(HttpStatusCode.OK);

        before.GetProperty("checks").GetProperty("status_loop").GetProperty("reason").GetString().Should().Contain("not completed a tick");
        options.StatusCode.Should().Be(HttpStatusCode.OK);
        tick.StatusCode.Should().Be(HttpStatusCode.OK);
        after.GetProperty("checks").GetProperty("dapr_sidecar").GetProperty("status").GetString().Should().Be("ok");
        after.GetProperty("checks").GetProperty("status_loop").GetProperty("status").GetString().Should().Be("ok");
    }

    [Fact]
    public async Task With_an_app_api_token_daprd_must_present_it()
    {
        await using var sidecar = await SimulatedSidecar.StartAsync(appToken: "app-secret-token");
        await using var host = await StartAsync(sidecar, appToken: "app-secret-token");

        using var missing = await host.Http.PostAsync("/status-loop", null);
        using var wrong = await Send(host, HttpMethod.Get, "/dapr/subscribe", "nope");
        using var right = await Send(host, HttpMethod.Post, "/status-loop", "app-secret-token");

        missing.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        missing.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        right.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_embedded_host_serves_none_of_these_routes_on_its_public_port()
    {
        await using var host = await RunningHost.StartAsync(HostTarget.All, _db.EnvironmentValues());
        var token = host.Services.GetRequiredService<Flame.Po.Dapr.Invocation.AppChannel>().Token!;

        // Only its private local channel serves them, and there only with its per-process token.
        foreach (var given in new[] { null, "wrong", token })
        {
            using var subscribe = await Send(host, HttpMethod.Get, "/dapr/subscribe", given);
            using var tick = await Send(host, HttpMethod.Post, "/status-loop", given);

            subscribe.StatusCode.Should().BeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden);
            tick.StatusCode.Should().BeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden);
        }
    }

    private Task<RunningHost> StartAsync(SimulatedSidecar sidecar, string? appToken = null)
    {
        var settings = new Dictionary<string, string?>(sidecar.HostSettings(_db.EnvironmentValues()))
        {
            ["APP_API_TOKEN"] = appToken,
        };
        return RunningHost.StartAsync(
            HostTarget.All,
            settings,
            builder => builder.Services.AddScoped<ScriptedSubscriber>(),
            app => app.MapSubscription<ScriptedSubscriber>(Topics.PubSubName, TestTopic, Route));
    }

    /// <summary>The subscriptions the app announces, as (pubsub, topic, route) whatever the SDK's JSON spelling.</summary>
    internal static async Task<List<(string PubSub, string Topic, string Route)>> SubscriptionsAsync(RunningHost host, string? appToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        if (appToken is not null)
        {
            request.Headers.Add("dapr-api-token", appToken);
        }

        using var response = await host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var items = JsonSerializer.Deserialize<List<JsonElement>>(await response.Content.ReadAsStringAsync())!;
        return items.Select(item => (
            Property(item, "pubsubname"),
            Property(item, "topic"),
            "/" + Property(item, "route").TrimStart('/'))).ToList();
    }

    private static string Property(JsonElement item, string name) =>
        item.EnumerateObject().Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value.GetString()!;

    private static StringContent CloudEventContent(string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        return content;
    }

    private static Task<HttpResponseMessage> Send(RunningHost host, HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Add("dapr-api-token", token);
        }

        return host.Http.SendAsync(request);
    }
}
