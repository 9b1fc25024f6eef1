using Dapr.Client;
using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.Faults;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Flame.Po.Dapr.Triggers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr;

/// <summary>
/// Chooses the implementation of every port once, at start-up: the Dapr sidecar through the Dapr .NET SDK, or the
/// embedded implementations of <c>--target all</c>. Business code sees the same ports either way, and the same
/// routes serve invocations, subscriptions and bindings (see docs/architecture.md, "Building blocks").
/// </summary>
public static class DaprBuildingBlocks
{
    /// <summary>
    /// Registers the Dapr adapters when <see cref="DaprSettings.UseDapr"/>, the embedded ones otherwise, and the
    /// app channel that protects the routes the sidecar (or the embedded bus) calls. Returns the channel. The
    /// caller binds and validates <see cref="DaprSettings"/> with the other settings.
    /// </summary>
    public static AppChannel AddBuildingBlocks(this IHostApplicationBuilder builder, string readyTag)
    {
        var settings = ReadSettings(builder.Configuration);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FaultPoints>();
        services.AddOptions<BuildingBlockSettings>();
        services.AddOptions<EventBusSettings>();
        if (!settings.UseDapr)
        {
            var local = AppChannel.Local();
            LocalChannel.Install(services);
            services.AddHostedService<PeriodicTriggerService>();
            services.AddAppChannel(local);
            services.AddSingleton<IStateStore, PostgresStateStore>();
            services.AddServiceClient<AppChannelClient>("localhost");
            services.AddSingleton<SubscriptionCatalog>();
            services.AddSingleton<FanOutListener>();
            services.AddHostedService(sp => sp.GetRequiredService<FanOutListener>());
            services.AddHealthChecks().AddCheck<FanOutHealthCheck>("event_fan_out", HealthStatus.Unhealthy, [readyTag]);
            services.AddSingleton<OutboxEventBus>();
            services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<OutboxEventBus>());
            services.AddHostedService(sp => sp.GetRequiredService<OutboxEventBus>());
            return local;
        }

        var channel = AppChannel.Sidecar(settings.AppApiToken);
        services.AddAppChannel(channel);
        services.AddDaprClient((sp, client) =>
        {
            var dapr = sp.GetRequiredService<IOptions<DaprSettings>>().Value;
            client.UseHttpEndpoint(dapr.SidecarUri.ToString()).UseGrpcEndpoint(dapr.SidecarGrpcUri.ToString());
            if (dapr.ApiToken is { Length: > 0 } token)
            {
                client.UseDaprApiToken(token);
            }
        });
        services.AddSingleton<IStateStore, DaprStateStore>();
        services.AddSingleton<IEventPublisher, DaprEventPublisher>();
        services.AddHostedService<DaprSidecarWaiter>();
        services.AddHealthChecks().AddCheck<DaprSidecarHealthCheck>("dapr_sidecar", HealthStatus.Unhealthy, [readyTag]);
        return channel;
    }

    /// <summary>
    /// The middleware and routes of the app channel: <c>UseCloudEvents</c> (unwraps delivered CloudEvents; see
    /// <see cref="SubscriptionEndpoints.UseCloudEventDelivery"/>),
    /// <c>GET /dapr/subscribe</c>, and <c>POST</c>/<c>OPTIONS</c> per periodic job (the Dapr cron binding, e.g.
    /// <c>/status-loop</c>). Subscriptions themselves are mapped by each service next to its other routes.
    /// </summary>
    public static WebApplication MapBuildingBlockEndpoints(this WebApplication app)
    {
        app.UseCloudEventDelivery();
        app.MapSubscriptions();
        app.MapPeriodicJobs();
        return app;
    }

    /// <summary>Whether the process talks to a Dapr sidecar (<c>PO_BUILDING_BLOCKS</c>, see <see cref="DaprSettings.Mode"/>) rather than running embedded.</summary>
    public static bool UsesDapr(IConfiguration configuration) => ReadSettings(configuration).UseDapr;

    private static DaprSettings ReadSettings(IConfiguration configuration)
    {
        try
        {
            return configuration.Get<DaprSettings>() ?? new DaprSettings();
        }
        catch (InvalidOperationException)
        {
            // A malformed value is reported by settings validation; until then assume embedded.
            return new DaprSettings();
        }
    }
}
