using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr;

/// <summary>Chooses the implementation of every port once, at start-up: embedded, or the Dapr sidecar.</summary>
public static class DaprBuildingBlocks
{
    public const string SidecarClient = "dapr-sidecar";

    /// <summary>
    /// Registers the Dapr adapters when <see cref="DaprSettings.UseDapr"/>, the embedded implementations
    /// otherwise. Business code sees the same ports either way. Returns whether Dapr was chosen. The caller
    /// binds and validates <see cref="DaprSettings"/> with the other settings.
    /// </summary>
    public static bool AddBuildingBlocks(this IHostApplicationBuilder builder, string readyTag)
    {
        var settings = ReadSettings(builder.Configuration);
        if (!settings.UseDapr)
        {
            builder.Services.AddEmbeddedBuildingBlocks();
            return false;
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<BuildingBlockSettings>();
        builder.Services.AddTransient<DaprSidecarHandler>();
        builder.Services.AddHttpClient(SidecarClient, ConfigureSidecar).AddHttpMessageHandler<DaprSidecarHandler>();
        builder.Services.AddHttpClient<IStateStore, DaprStateStore>(ConfigureSidecar).AddHttpMessageHandler<DaprSidecarHandler>();
        builder.Services.AddHttpClient<IEventPublisher, DaprEventPublisher>(ConfigureSidecar).AddHttpMessageHandler<DaprSidecarHandler>();
        builder.Services.AddHttpClient<IServiceInvoker, DaprServiceInvoker>(ConfigureSidecar).AddHttpMessageHandler<DaprSidecarHandler>();
        builder.Services.AddHostedService<DaprSidecarWaiter>();
        builder.Services.AddHealthChecks().AddCheck<DaprSidecarHealthCheck>("dapr_sidecar", HealthStatus.Unhealthy, [readyTag]);
        return true;
    }

    /// <summary>Maps the routes daprd calls on the app; nothing in embedded mode.</summary>
    public static IEndpointRouteBuilder MapBuildingBlockEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var settings = endpoints.ServiceProvider.GetRequiredService<IOptions<DaprSettings>>().Value;
        return settings.UseDapr ? endpoints.MapDaprAppEndpoints() : endpoints;
    }

    private static void ConfigureSidecar(IServiceProvider services, HttpClient client)
    {
        client.BaseAddress = services.GetRequiredService<IOptions<DaprSettings>>().Value.SidecarUri;
        client.Timeout = TimeSpan.FromSeconds(30);
    }

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
