using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Integrations.Hub;
using Flame.Po.Integrations.Keycloak;
using Flame.Po.Lifecycle.StatusLoop;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.ServiceDefaults.Health;
using Flame.Po.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle;

public static class LifecycleServiceExtensions
{
    /// <summary>The lifecycle service: owner of analysis records, Kubernetes objects and the status loop.</summary>
    public static IHostApplicationBuilder AddLifecycleService(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHostedApp(AppIds.Lifecycle);
        services.AddSettings<StatusLoopSettings>(builder.Configuration);
        services.AddSettings<WorkloadSettings>(builder.Configuration);
        services.AddSettings<KeycloakSettings>(builder.Configuration);
        services.AddSettings<HubSettings>(builder.Configuration);
        services.AddSingleton<StatusLoopHeartbeat>();
        services.AddPeriodicJob<StatusLoopJob>(StatusLoopJob.BindingName, sp => sp.GetRequiredService<IOptions<StatusLoopSettings>>().Value.Interval);
        services.AddHealthChecks().AddCheck<StatusLoopHealthCheck>("status_loop", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    public static IEndpointRouteBuilder MapLifecycleService(this IEndpointRouteBuilder endpoints) => endpoints;
}
