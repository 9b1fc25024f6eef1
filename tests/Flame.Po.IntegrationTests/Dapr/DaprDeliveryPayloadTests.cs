using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flame.Po.Dapr;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// The whole host in Dapr mode receiving, over HTTP, exactly what daprd sends: the CloudEvent examples of the
/// Dapr docs (pubsub-cloudevents.md) on a subscription route, and the cron binding's tick with its metadata
/// headers; every call carries the app token as daprd does with APP_API_TOKEN.
/// </summary>
public sealed class DaprDeliveryPayloadTests : IAsyncLifetime
{
    private const string Route = "/events/orders";
    private const string AppToken = "app-token-for-delivery-tests";

    /// <summary>"Dapr-generated CloudEvents example" from the Dapr docs, verbatim.</summary>
    private const string DocsGeneratedEvent = """
        {
          "topic": "orders",
          "pubsubname": "order_pub_sub",
          "traceid": "00-113ad9c4e42b27583ae98ba698d54255-e3743e35ff56f219-01",
          "tracestate": "",
          "data": {
            "orderId": 1
          },
          "id": "5929aaac-a5e2-4ca1-859c-edfe73f11565",
          "specversion": "1.0",
          "datacontenttype": "application/json; charset=utf-8",
          "source": "checkout",
          "type": "com.dapr.event.sent",
          "time": "2020-09-23T06:23:21Z",
          "traceparent": "00-113ad9c4e42b27583ae98ba698d54255-e3743e35ff56f219-01"
        }
        """;

    /// <summary>The docs' XML CloudEvent, with the fields daprd adds on delivery when they are missing.</summary>
    private const string DocsXmlEvent = """
        {
            "specversion" : "1.0",
            "type" : "xml.message",
            "source" : "https://example.com/message",
            "subject" : "Test XML Message",
            "id" : "id-1234-5678-9101",
            "time" : "2020-09-23T06:23:21Z",
            "datacontenttype" : "text/xml",
            "data" : "<note><to>User1</to><from>user2</from><message>hi</message></note>",
            "topic": "orders",
            "pubsubname": "order_pub_sub",
            "traceid": "00-113ad9c4e42b27583ae98ba698d54255-e3743e35ff56f219-01",
            "traceparent": "00-113ad9c4e42b27583ae98ba698d54255-e3743e35ff56f219-01",
            "tracestate": ""
        }
        """;

    private TestDatabase _db = null!;
    private SimulatedSidecar _sidecar = null!;
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await TestPostgres.CreateDatabaseAsync();
        _sidecar = await SimulatedSidecar.StartAsync(appToken: AppToken);
        var settings = new Dictionary<string, string?>(_sidecar.HostSettings(_db.EnvironmentValues()))
        {
            ["APP_API_TOKEN"] = AppToken,
        };
        _host = await RunningHost.StartAsync(
            HostTarget.All,
            settings,
            builder => builder.Services.AddScoped<OrderSubscriber>(),
            app => app.MapSubscription<OrderSubscriber>("order_pub_sub", "orders", Route));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sidecar.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>The docs' payload is camelCase; the PO's own events are snake_case (StateJson).</summary>
    private sealed record Order([property: System.Text.Json.Serialization.JsonPropertyName("orderId")] int OrderId);

    private sealed class OrderSubscriber : ISubscriber
    {
        public static readonly ConcurrentQueue<Order> Received = new();

        public Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken)
        {
            Received.Enqueue(data.Deserialize<Order>() ?? throw new JsonException("no order"));
            return Task.FromResult(EventOutcome.Success);
        }
    }

    [Fact]
    public async Task The_subscription_is_announced_to_daprd()
    {
        var subscriptions = await DaprAppEndpointTests.SubscriptionsAsync(_host, AppToken);

        subscriptions.Should().ContainSingle(s => s.Topic == "orders").Which.Should().Be(("order_pub_sub", "orders", "/events/orders"));
    }

    [Fact]
    public async Task The_docs_cloud_event_reaches_the_handler_whole_and_is_acknowledged()
    {
        using var response = await SendAsync(HttpMethod.Post, Route, CloudEvent(DocsGeneratedEvent));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Status(response)).Should().Be("SUCCESS");
        // UseCloudEvents unwraps the envelope: the subscriber reads the data (camelCase here, as the docs publish it).
        OrderSubscriber.Received.Should().Contain(new Order(1));
    }

    [Fact]
    public async Task Data_the_handler_cannot_read_is_dropped_not_retried_forever()
    {
        using var response = await SendAsync(HttpMethod.Post, Route, CloudEvent(DocsXmlEvent));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Status(response)).Should().Be("DROP");
    }

    [Fact]
    public async Task An_envelope_without_data_is_dropped_and_malformed_json_too()
    {
        using var noData = await SendAsync(HttpMethod.Post, Route, CloudEvent("""{"specversion":"1.0","id":"x","source":"s","type":"t"}"""));
        using var malformed = await SendAsync(HttpMethod.Post, Route, CloudEvent("""{"specversion":"1.0","id":"""));

        (await Status(noData)).Should().Be("DROP");
        (await Status(malformed)).Should().Be("DROP");
    }

    [Fact]
    public async Task A_cron_tick_as_daprd_sends_it_is_answered_200()
    {
        // bindings.cron posts an empty JSON body with its metadata as headers (Dapr docs, Bindings API reference;
        // daprd: pkg/runtime/processor/binding/send.go).
        using var options = await SendAsync(HttpMethod.Options, "/status-loop");
        using var tick = await SendAsync(HttpMethod.Post, "/status-loop", new StringContent("", Encoding.UTF8, "application/json"), new()
        {
            ["timeZone"] = "UTC",
            ["readTimeUTC"] = "2026-11-30 06:00:00.123456789 +0000 UTC",
        });

        options.StatusCode.Should().Be(HttpStatusCode.OK, "2xx tells daprd the app takes the binding");
        tick.StatusCode.Should().Be(HttpStatusCode.OK, "only exactly 200 counts as success for a binding with a retry policy");
    }

    [Fact]
    public async Task A_route_without_a_subscription_is_404_which_daprd_treats_as_drop()
    {
        using var response = await SendAsync(HttpMethod.Post, "/events/unknown", CloudEvent(DocsGeneratedEvent));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, Dictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("dapr-api-token", AppToken);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }

        return await _host.Http.SendAsync(request);
    }

    private static StringContent CloudEvent(string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        return content;
    }

    private static async Task<string?> Status(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
}
