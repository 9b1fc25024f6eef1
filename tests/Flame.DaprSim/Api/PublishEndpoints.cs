using Flame.DaprSim.Sidecars;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flame.DaprSim.Api;

/// <summary>
/// <c>POST|PUT /v1.0/publish/{pubsub}/{topic}</c> (Dapr docs: pubsub API; daprd: pkg/api/http/http.go <c>onPublish</c>):
/// the request's Content-Type becomes the CloudEvent's <c>datacontenttype</c>; 204 once the broker has it.
/// </summary>
public static class PublishEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, Sidecar sidecar)
    {
        var api = new PublishApi(sidecar);
        routes.MapMethods("/v1.0/publish/{pubsub}/{**topic}", ["POST", "PUT"], async (HttpContext context, string pubsub, string? topic) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            api.Publish(pubsub, topic ?? "", buffer.ToArray(), context.Request.ContentType, StateEndpoints.QueryMetadata(context.Request),
                context.Request.Headers["traceparent"], context.Request.Headers["tracestate"]);
            context.Response.StatusCode = 204;
        });
    }
}
