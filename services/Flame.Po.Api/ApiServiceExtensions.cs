using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Integrations.Keycloak;
using Flame.Po.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.Api;

public static class ApiServiceExtensions
{
    /// <summary>The api service: the <c>/po</c> REST surface; it owns no data and invokes lifecycle and logging.</summary>
    public static IHostApplicationBuilder AddApiService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedApp(AppIds.Api);
        builder.Services.AddSettings<KeycloakSettings>(builder.Configuration);
        return builder;
    }

    public static IEndpointRouteBuilder MapApiService(this IEndpointRouteBuilder endpoints) => endpoints;
}
