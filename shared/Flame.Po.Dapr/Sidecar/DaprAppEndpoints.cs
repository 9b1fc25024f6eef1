using System.Text.Json;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.State;
using Flame.Po.Dapr.Triggers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// The routes daprd calls on the app (reference/dapr.md §2.4, §2.5): <c>GET /dapr/subscribe</c>, one
/// <c>POST</c> route per subscription answering SUCCESS / RETRY / DROP, <c>POST</c> and <c>OPTIONS</c>
/// per cron binding (e.g. <c>/status-loop</c>), and the invocation methods of the apps hosted here.
/// </summary>
public static class DaprAppEndpoints
{
    public static IEndpointRouteBuilder MapDaprAppEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var dapr = endpoints.MapGroup(string.Empty).AddEndpointFilter<AppApiTokenFilter>().WithTags("dapr").ExcludeFromDescription();
        var subscriptions = services.GetServices<EventSubscription>().ToList();

        dapr.MapGet("/dapr/subscribe", () => TypedResults.Json(
            subscriptions.Select(s => new { pubsubname = s.PubSubName, topic = s.Topic, route = s.Route })));

        foreach (var subscription in subscriptions)
        {
            dapr.MapPost(subscription.Route, (Delegate)((HttpContext context) => DeliverAsync(subscription, context)));
        }

        foreach (var job in services.GetServices<PeriodicJobRegistration>())
        {
            dapr.MapPost("/" + job.Name, (Delegate)((HttpContext context) => RunJobAsync(job, context)));
            dapr.MapMethods("/" + job.Name, [HttpMethods.Options], () => TypedResults.Ok());
        }

        var hosted = services.GetServices<HostedApp>().Select(a => a.AppId).ToHashSet(StringComparer.Ordinal);
        foreach (var method in services.GetServices<InvocationMethod>().Where(m => hosted.Contains(m.AppId)))
        {
            dapr.MapMethods("/" + method.Path.TrimStart('/'), [method.Method.Method], (Delegate)((HttpContext context) => InvokeAsync(method, context)));
        }

        return endpoints;
    }

    private static async Task<IResult> DeliverAsync(EventSubscription subscription, HttpContext context)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DaprAppEndpoints));
        CloudEvent? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync<CloudEvent>(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            logger.LogWarning("Dropping a message on topic {topic} that is not a CloudEvent: {reason}", subscription.Topic, e.Message);
            return Answer(EventOutcome.Drop);
        }

        if (message is null)
        {
            return Answer(EventOutcome.Drop);
        }

        try
        {
            var handler = (ISubscriber)context.RequestServices.GetRequiredService(subscription.HandlerType);
            return Answer(await handler.HandleAsync(message, context.RequestAborted));
        }
        catch (JsonException e)
        {
            // The envelope was fine but its data is not what the handler reads (e.g. the docs' XML example):
            // redelivering the same bytes cannot succeed, so the message is poison.
            logger.LogWarning("Dropping message {message_id} on topic {topic}: its data cannot be read: {reason}", message.Id, subscription.Topic, e.Message);
            return Answer(EventOutcome.Drop);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Handler {handler} failed for message {message_id}; asking Dapr to retry", subscription.HandlerType.Name, message.Id);
            return Answer(EventOutcome.Retry);
        }
    }

    private static Ok<SubscriberReply> Answer(EventOutcome outcome) => TypedResults.Ok(new SubscriberReply(outcome switch
    {
        EventOutcome.Success => "SUCCESS",
        EventOutcome.Drop => "DROP",
        _ => "RETRY",
    }));

    /// <summary>The body Dapr reads to decide what happens to a delivered message.</summary>
    private sealed record SubscriberReply([property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status);

    private static async Task<IResult> RunJobAsync(PeriodicJobRegistration job, HttpContext context)
    {
        var instance = (IPeriodicJob)context.RequestServices.GetRequiredService(job.JobType);
        await instance.RunAsync(context.RequestAborted);
        return TypedResults.Ok();
    }

    private static async Task<IResult> InvokeAsync(InvocationMethod method, HttpContext context)
    {
        JsonElement? body = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, cancellationToken: context.RequestAborted);
        }

        var response = await method.Handler(context.RequestServices, new InvocationRequest(method.Method, method.Path, body), context.RequestAborted);
        return response.Body is { } json
            ? TypedResults.Json(json, StateJson.Options, statusCode: response.StatusCode)
            : TypedResults.StatusCode(response.StatusCode);
    }
}
