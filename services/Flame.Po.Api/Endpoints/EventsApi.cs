using Flame.Po.Api.Auth;
using Flame.Po.Api.Errors;
using Flame.Po.Api.Events;
using Flame.Po.Api.Settings;
using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flame.Po.Api.Endpoints;

/// <summary>
/// <c>GET /po/events</c>: every lifecycle transition (<c>analysis-events</c>) as server-sent events, for
/// management clients. Live only: there is no replay of earlier events (<c>Last-Event-ID</c> is ignored); a
/// client that reconnects reads <c>/po/status</c> to catch up.
/// </summary>
public static class EventsApi
{
    /// <summary>The hub and the subscription that feeds it, through whichever pub/sub adapter this host uses.</summary>
    public static IServiceCollection AddAnalysisEventStream(this IServiceCollection services)
    {
        services.AddSingleton<AnalysisEventHub>();
        services.AddScoped<AnalysisEventRelay>();
        return services;
    }

    public static RouteHandlerBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        // Every replica streams every event: a per-replica consumer group, not a competing consumer's share.
        app.MapSubscription<AnalysisEventRelay>(Topics.EveryReplicaPubSubName, Topics.AnalysisEvents, AnalysisEventRelay.Route);
        return app.MapGet("/po/events", OpenStream)
            .WithTags("analyses")
            .RequireAuthorization(ApiPolicies.Management)
            .WithName("GetEvents")
            .WithSummary("Lifecycle transitions as server-sent events")
            .WithDescription("text/event-stream: per transition `id: <event_id>`, `event: analysis`, `data: <AnalysisEventMessage JSON>`; "
                + "a `: keep-alive` comment when nothing happened for EVENTS_KEEPALIVE seconds. A client that falls EVENTS_CLIENT_BUFFER events "
                + "behind is disconnected. No replay: after reconnecting, read /po/status.");
    }

    public static Results<AnalysisEventStreamResult, ProblemHttpResult> OpenStream(HttpContext context, [AsParameters] EventStreamServices services)
    {
        ArgumentNullException.ThrowIfNull(context);
        var subscription = services.Hub.TrySubscribe(context.Abort);
        if (subscription is null)
        {
            return ApiProblems.Unavailable("Too many event streams are open; try again later.");
        }

        // Released even if the stream never starts writing (e.g. the request fails before the result runs).
        context.Response.RegisterForDispose(subscription);
        return new AnalysisEventStreamResult(subscription, services.Settings.Value.KeepAlive);
    }
}

/// <summary>What <see cref="EventsApi.OpenStream"/> needs from the container.</summary>
public readonly record struct EventStreamServices(AnalysisEventHub Hub, IOptions<EventStreamSettings> Settings);
