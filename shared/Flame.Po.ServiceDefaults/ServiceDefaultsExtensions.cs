using Flame.Po.Persistence;
using Flame.Po.ServiceDefaults.Health;
using Flame.Po.ServiceDefaults.Logging;
using Flame.Po.ServiceDefaults.Settings;
using Flame.Po.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.ServiceDefaults;

/// <summary>What every target shares (like eShop's ServiceDefaults): logging, settings, PostgreSQL, health, metrics and traces.</summary>
public static class ServiceDefaultsExtensions
{
    /// <param name="serviceName">The OpenTelemetry <c>service.name</c> (the app id) unless <c>OTEL_SERVICE_NAME</c> is set.</param>
    /// <param name="database">
    /// Whether the process uses PostgreSQL: its settings, migrations and readiness check. A process that owns no
    /// data (the api as a Dapr app) passes <see langword="false"/> and needs no <c>POSTGRES_*</c> value.
    /// </param>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName, bool database = true)
    {
        builder.AddFlameJsonLogging();
        builder.AddFlameTelemetry(serviceName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (database)
        {
            builder.Services.AddSettings<PostgresSettings>(builder.Configuration);
            builder.Services.AddFlamePostgres();
            builder.Services.AddDatabaseHealthCheck();
        }

        builder.Services.AddHealthChecks();
        builder.Services.AddProblemDetails();
        return builder;
    }

    public static IEndpointRouteBuilder MapServiceDefaults(this IEndpointRouteBuilder endpoints) => endpoints.MapFlameHealth().MapFlameMetrics();
}
