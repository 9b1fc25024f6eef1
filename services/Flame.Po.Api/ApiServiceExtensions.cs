using Flame.Po.Api.Auth;
using Flame.Po.Api.Clients;
using Flame.Po.Api.Endpoints;
using Flame.Po.Api.Errors;
using Flame.Po.Api.OpenApi;
using Flame.Po.Api.Settings;
using Flame.Po.Core;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Integrations.Keycloak;
using Flame.Po.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flame.Po.Api;

public static class ApiServiceExtensions
{
    private const string CorsPolicy = "po-cors";

    /// <summary>The api service: the <c>/po</c> REST surface; it owns no data and invokes lifecycle and logging.</summary>
    public static IHostApplicationBuilder AddApiService(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSettings<KeycloakSettings>(builder.Configuration);
        services.AddSettings<ApiSettings>(builder.Configuration);
        services.AddSettings<EventStreamSettings>(builder.Configuration);
        services.AddSingleton<ApiJwtEvents>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, KeycloakJwtOptions>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();

        // After AddJwtBearer, so that it runs after the library's own post-configure, which makes the configuration manager.
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, KeycloakJwtOptions>();
        services.AddApiPolicies();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddServiceClient<LifecycleClient>(AppIds.Lifecycle);
        services.AddServiceClient<LoggingClient>(AppIds.Logging);
        services.AddAnalysisEventStream();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<ApiSettings>>((o, settings) =>
            o.AddPolicy(CorsPolicy, p => p.WithOrigins([.. settings.Value.CorsOriginList]).AllowCredentials().AllowAnyMethod().AllowAnyHeader()));
        services.AddApiOpenApi();
        return builder;
    }

    /// <summary>
    /// The Api's middleware, after the host's exception handler so failures while checking a token become
    /// problems: CORS (answers preflights before authentication), authentication, authorisation, OpenAPI.
    /// </summary>
    public static IApplicationBuilder UseApiService(this IApplicationBuilder app)
    {
        app.UseCors(CorsPolicy);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseApiOpenApi();
        return app;
    }

    public static IEndpointRouteBuilder MapApiService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAnalysesApi();
        endpoints.MapStreamLogsApi();
        endpoints.MapPodLogsApi();
        endpoints.MapEventsApi();
        return endpoints;
    }
}
