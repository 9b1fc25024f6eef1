using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// Builds the envelope daprd publishes (components-contrib pubsub/envelope.go <c>NewCloudEventsEnvelope</c> and
/// <c>FromCloudEvent</c>, daprd pkg/runtime/pubsub/cloudevents.go <c>NewCloudEvent</c>; Dapr docs: publish-subscribe,
/// "Envelope that Dapr generates"): id, source = publisher app id, type <c>com.dapr.event.sent</c>, specversion 1.0,
/// datacontenttype = request content type (default text/plain), data (parsed JSON for JSON content, base64 in
/// <c>data_base64</c> for octet-stream, a string otherwise), topic, pubsubname, time, traceid/traceparent/tracestate.
/// <c>metadata.cloudevent.*</c> overrides id, source, type, subject and trace; <c>ttlInSeconds</c> sets <c>expiration</c>.
/// </summary>
public static class CloudEvents
{
    public const string ContentType = "application/cloudevents+json";
    public const string DefaultType = "com.dapr.event.sent";

    public static JsonObject Create(string source, string topic, string pubsub, string? dataContentType, byte[] data, TraceContext trace, IReadOnlyDictionary<string, string> metadata)
    {
        if (IsContentType(dataContentType, ContentType))
        {
            return FromCloudEvent(data, topic, pubsub, trace);
        }

        string Override(string name, string fallback) =>
            metadata.FirstOrDefault(m => string.Equals(m.Key, "cloudevent." + name, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } v ? v : fallback;

        var contentType = string.IsNullOrEmpty(dataContentType) ? "text/plain" : dataContentType;
        var traceId = Override("traceparent", Override("traceid", trace.TraceParent));
        var ce = new JsonObject
        {
            ["datacontenttype"] = contentType,
            ["id"] = Override("id", Guid.NewGuid().ToString()),
            ["pubsubname"] = pubsub,
            ["source"] = Override("source", source.Length > 0 ? source : "Dapr"),
            ["specversion"] = "1.0",
            ["time"] = Rfc3339(DateTimeOffset.Now),
            ["topic"] = topic,
            ["traceid"] = traceId,
            ["traceparent"] = traceId,
            ["tracestate"] = Override("tracestate", trace.TraceState),
            ["type"] = Override("type", DefaultType),
        };
        if (IsContentType(contentType, "application/json"))
        {
            ce["data"] = TryParse(data) ?? JsonValue.Create(Encoding.UTF8.GetString(data));
        }
        else if (IsContentType(contentType, "application/octet-stream"))
        {
            ce["data_base64"] = Convert.ToBase64String(data);
        }
        else
        {
            ce["data"] = Encoding.UTF8.GetString(data);
        }

        if (Override("subject", "") is { Length: > 0 } subject)
        {
            ce["subject"] = subject;
        }

        ApplyTtl(ce, metadata);
        return Sorted(ce);
    }

    /// <summary>A caller's own envelope is kept; daprd fills time, trace, topic, pubsubname and the defaults.</summary>
    private static JsonObject FromCloudEvent(byte[] data, string topic, string pubsub, TraceContext trace)
    {
        if (TryParse(data) is not JsonObject ce)
        {
            throw new JsonException("the body is not a CloudEvent JSON object");
        }

        ce["time"] ??= Rfc3339(DateTimeOffset.Now);
        if (!ce.ContainsKey("traceid"))
        {
            ce["traceid"] = trace.TraceParent;
            ce["traceparent"] = trace.TraceParent;
        }

        if (!ce.ContainsKey("tracestate"))
        {
            ce["tracestate"] = trace.TraceState;
        }

        ce["topic"] = topic;
        ce["pubsubname"] = pubsub;
        ce["source"] ??= "Dapr";
        ce["type"] ??= DefaultType;
        ce["specversion"] ??= "1.0";
        return Sorted(ce);
    }

    /// <summary>Wraps a raw payload for a <c>rawPayload</c> subscription (components-contrib: <c>FromRawPayload</c>).</summary>
    public static JsonObject FromRawPayload(byte[] data, string topic, string pubsub) => new()
    {
        ["data_base64"] = Convert.ToBase64String(data),
        ["datacontenttype"] = "application/octet-stream",
        ["id"] = Guid.NewGuid().ToString(),
        ["pubsubname"] = pubsub,
        ["source"] = "Dapr",
        ["specversion"] = "1.0",
        ["topic"] = topic,
        ["type"] = DefaultType,
    };

    /// <summary>Dapr handles message TTL itself for brokers without it (components-contrib: <c>ApplyMetadata</c>).</summary>
    private static void ApplyTtl(JsonObject ce, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue("ttlInSeconds", out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl))
        {
            ce["expiration"] = Rfc3339(DateTimeOffset.UtcNow.AddSeconds(ttl));
        }
    }

    /// <summary>components-contrib: <c>HasExpired</c>.</summary>
    public static bool HasExpired(JsonObject ce) =>
        ce["expiration"] is JsonValue v && v.TryGetValue<string>(out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at < DateTimeOffset.UtcNow;

    public static JsonNode? TryParse(byte[] data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>components-contrib contenttype.isContentType: exact, case-insensitive, parameters ignored.</summary>
    public static bool IsContentType(string? contentType, string expected)
    {
        if (contentType is null)
        {
            return false;
        }

        var bare = contentType.Split(';')[0].Trim();
        return string.Equals(bare, expected, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Go's <c>time.RFC3339</c>: seconds, and <c>Z</c> for UTC.</summary>
    public static string Rfc3339(DateTimeOffset at) => at.Offset == TimeSpan.Zero
        ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
        : at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    // Go marshals a map with its keys sorted; so does daprd's envelope.
    private static JsonObject Sorted(JsonObject ce)
    {
        var sorted = new JsonObject();
        foreach (var key in ce.Select(p => p.Key).Order(StringComparer.Ordinal).ToList())
        {
            var value = ce[key];
            ce.Remove(key);
            sorted[key] = value;
        }

        return sorted;
    }
}

/// <summary>W3C trace context of a published event: the caller's trace continued with a new span, or a new trace.</summary>
public sealed record TraceContext(string TraceParent, string TraceState)
{
    public static TraceContext From(string? incomingTraceParent, string? incomingTraceState)
    {
        var parts = incomingTraceParent?.Split('-');
        var traceId = parts is { Length: 4 } && parts[1].Length == 32 ? parts[1] : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var flags = parts is { Length: 4 } && parts[3].Length == 2 ? parts[3] : "01";
        return new TraceContext($"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-{flags}", incomingTraceState ?? "");
    }
}
