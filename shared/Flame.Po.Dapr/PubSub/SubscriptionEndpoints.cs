using System.Text.Json;
using System.Text.Json.Serialization;
using Flame.Po.Dapr.Invocation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Dapr.PubSub;

/// <summary>
/// Subscriptions as endpoints, the Dapr SDK's way: a POST route with <c>.WithTopic(pubsub, topic)</c>, announced by
/// <c>MapSubscribeHandler</c> on <c>GET /dapr/subscribe</c>, its CloudEvent unwrapped by <c>UseCloudEvents</c>. The
/// Dapr sidecar delivers to it in Dapr mode, the embedded bus (<see cref="Embedded.OutboxEventBus"/>) in
/// <c>--target all</c> — the same route either way, reachable only on the app channel.
/// </summary>
public static class SubscriptionEndpoints
{
    public static RouteHandlerBuilder MapSubscription<TSubscriber>(this IEndpointRouteBuilder endpoints, string pubSubName, string topic, string route)
        where TSubscriber : class, ISubscriber =>
#pragma warning disable RDG011 // Generic: this endpoint's request delegate is built at run time, like before the generator.
        endpoints.MapPost(route, DeliverAsync<TSubscriber>)
#pragma warning restore RDG011
            .WithTopic(pubSubName, topic)
            .RequireAppChannel()
            .ExcludeFromDescription();

    /// <summary>
    /// The SDK's <c>UseCloudEvents</c> (the subscriber reads the CloudEvent's <c>data</c>), behind a guard: a delivery
    /// whose body is not JSON at all is answered DROP, because redelivering the same bytes can never succeed.
    /// </summary>
    public static IApplicationBuilder UseCloudEventDelivery(this IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (JsonException e) when (!context.Response.HasStarted
                && context.Request.ContentType?.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase) == true)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SubscriptionEndpoints))
                    .LogWarning("Dropping a delivery on {route} that is not a CloudEvent: {reason}", context.Request.Path, e.Message);
                context.Response.StatusCode = StatusCodes.Status200OK;
                await context.Response.WriteAsJsonAsync(new SubscriberReply("DROP"), context.RequestAborted);
            }
        });
        return app.UseCloudEvents();
    }

    /// <summary>Maps <c>GET /dapr/subscribe</c>, reachable only on the app channel.</summary>
    public static IEndpointConventionBuilder MapSubscriptions(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapSubscribeHandler().RequireAppChannel();

    private static async Task<Ok<SubscriberReply>> DeliverAsync<TSubscriber>(
        HttpRequest request, TSubscriber subscriber, ILogger<TSubscriber> logger, CancellationToken cancellationToken)
        where TSubscriber : class, ISubscriber
    {
        JsonElement data;
        try
        {
            data = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            logger.LogWarning("Dropping a message on {route} that is not JSON: {reason}", request.Path, e.Message);
            return Answer(EventOutcome.Drop);
        }

        try
        {
            return Answer(await subscriber.HandleAsync(data, cancellationToken));
        }
        catch (JsonException e)
        {
            // Redelivering the same bytes cannot succeed, so the message is poison.
            logger.LogWarning("Dropping a message on {route}: its data cannot be read: {reason}", request.Path, e.Message);
            return Answer(EventOutcome.Drop);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "{subscriber} failed for a message on {route}; asking for redelivery", typeof(TSubscriber).Name, request.Path);
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
    private sealed record SubscriberReply([property: JsonPropertyName("status")] string Status);
}
