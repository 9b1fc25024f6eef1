using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.DaprSim.Errors;
using Flame.DaprSim.PubSub;
using Flame.DaprSim.Sidecars;

namespace Flame.DaprSim.Api;

/// <summary>
/// Publishing, shared by the HTTP and gRPC faces (daprd: pkg/api/grpc/grpc.go <c>PublishEvent</c>, pkg/api/http/http.go
/// <c>onPublish</c>): the pub/sub must be loaded by this sidecar (component scopes), the body is wrapped in a CloudEvent
/// unless <c>metadata.rawPayload=true</c>, and the broker takes it.
/// </summary>
public sealed class PublishApi
{
    private readonly Sidecar _sidecar;

    public PublishApi(Sidecar sidecar)
    {
        _sidecar = sidecar;
    }

    public void Publish(string pubsubName, string topic, byte[] data, string? contentType, IReadOnlyDictionary<string, string> metadata, string? traceParent, string? traceState)
    {
        var pubsub = _sidecar.PubSub(pubsubName);
        if (topic.Length == 0)
        {
            throw DaprErrors.TopicEmpty(pubsubName);
        }

        var raw = false;
        if (metadata.TryGetValue("rawPayload", out var rawText) && !bool.TryParse(rawText, out raw))
        {
            throw DaprErrors.PubSubMetadata($"rawPayload value must be a valid boolean: actual is '{rawText}'");
        }

        if (raw)
        {
            pubsub.Broker.Publish(new BrokerMessage(topic, Guid.NewGuid().ToString(), data, contentType ?? "", true, _sidecar.AppId, _sidecar.Replica));
            return;
        }

        JsonObject envelope;
        try
        {
            envelope = CloudEvents.Create(_sidecar.AppId, topic, pubsubName, contentType, data, TraceContext.From(traceParent, traceState), metadata);
        }
        catch (JsonException e)
        {
            throw DaprErrors.CloudEventCreation(_sidecar.AppId, e.Message);
        }

        var id = envelope["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : Guid.NewGuid().ToString();
        pubsub.Broker.Publish(new BrokerMessage(topic, id, Encoding.UTF8.GetBytes(envelope.ToJsonString()), CloudEvents.ContentType, false, _sidecar.AppId, _sidecar.Replica));
    }
}
