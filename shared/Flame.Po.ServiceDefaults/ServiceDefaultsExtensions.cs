using Flame.Po.Persistence;
using Flame.Po.ServiceDefaults.Health;
using Flame.Po.ServiceDefaults.Logging;
using Flame.Po.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.ServiceDefaults;

/// <summary>What every target shares (like eShop's ServiceDefaults): logging, settings, PostgreSQL, health.</summary>
public static class ServiceDefaultsExtensions
{
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.AddFlameJsonLogging();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSettings<PostgresSettings>(builder.Configuration);
        builder.Services.AddFlamePostgres();
        builder.Services.AddFlameHealthChecks();
        builder.Services.AddProblemDetails();
        return builder;
    }

    public static IEndpointRouteBuilder MapServiceDefaults(this IEndpointRouteBuilder endpoints) => endpoints.MapFlameHealth();
}
