using System.Text.Json;
using System.Text.Json.Serialization;
using Flame.Po.Dapr.State;

namespace Flame.Po.Dapr.PubSub;

/// <summary>
/// The CloudEvents 1.0 envelope Dapr wraps around every published message (Dapr docs, Publish and subscribe:
/// "Publishing & subscribing messages with Cloudevents"). The
/// embedded bus builds the same envelope so handlers see one shape whichever bus delivered the message.
/// </summary>
public sealed record CloudEvent
{
    public const string DaprEventType = "com.dapr.event.sent";

    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("source")]
    public required string Source { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = DaprEventType;

    [JsonPropertyName("specversion")]
    public string SpecVersion { get; init; } = "1.0";

    [JsonPropertyName("datacontenttype")]
    public string DataContentType { get; init; } = "application/json";

    [JsonPropertyName("topic")]
    public required string Topic { get; init; }

    [JsonPropertyName("pubsubname")]
    public required string PubSubName { get; init; }

    [JsonPropertyName("time")]
    public DateTimeOffset? Time { get; init; }

    [JsonPropertyName("traceparent")]
    public string? TraceParent { get; init; }

    [JsonPropertyName("data")]
    public JsonElement Data { get; init; }


    public static CloudEvent Create<T>(string source, string pubSubName, string topic, T data, DateTimeOffset time) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Source = source,
        Topic = topic,
        PubSubName = pubSubName,
        Time = time,
        Data = StateJson.ToElement(data),
    };
}
