using System.Net.Http.Headers;
using System.Text.Json.Nodes;

using Flame.DaprSim.Inspection;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// One delivery attempt to a subscriber app (daprd: pkg/runtime/subscription/subscription.go and postman/http/http.go):
/// the message is read as a CloudEvent (or wrapped, for a <c>rawPayload</c> subscription), expired or unrouted events are
/// dropped, otherwise it is POSTed to the matching route with <c>Content-Type: application/cloudevents+json</c>.
/// </summary>
public static class SubscriberDelivery
{
    public sealed record Result(DeliveryOutcome Outcome, string? Route, int? StatusCode);

    public static async Task<Result> DeliverAsync(GroupMember member, string pubsub, BrokerMessage message, CancellationToken ct)
    {
        var subscription = member.Subscription;
        JsonObject cloudEvent;
        byte[] body;
        if (subscription.RawPayload)
        {
            cloudEvent = CloudEvents.FromRawPayload(message.Data, message.Topic, pubsub);
            body = System.Text.Encoding.UTF8.GetBytes(cloudEvent.ToJsonString());
        }
        else if (CloudEvents.TryParse(message.Data) is JsonObject parsed)
        {
            cloudEvent = parsed;
            body = message.Data;
        }
        else
        {
            // daprd: "error deserializing cloud event" is returned to the component, which redelivers.
            return new Result(DeliveryOutcome.Retry, null, null);
        }

        if (CloudEvents.HasExpired(cloudEvent))
        {
            return new Result(DeliveryOutcome.Drop, null, null);
        }

        var route = subscription.RouteFor(cloudEvent);
        if (route is null)
        {
            return new Result(DeliveryOutcome.Drop, null, null);
        }

        var path = route.StartsWith('/') ? route : "/" + route;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CloudEvents.ContentType);
        if (cloudEvent["traceparent"] is JsonValue traceparent && traceparent.TryGetValue<string>(out var tp) && tp.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("traceparent", tp);
        }

        try
        {
            using var response = await member.Sidecar.AppChannel.SendAsync(request, ct);
            var reply = await response.Content.ReadAsByteArrayAsync(ct);
            var status = (int)response.StatusCode;
            return new Result(ReplyClassifier.Classify(status, reply), path, status);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // daprd: "error returned from app channel while sending pub/sub event to app" is retriable.
            return new Result(DeliveryOutcome.Retry, path, null);
        }
    }
}
