using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Integrations.Hub;
using Flame.Po.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.Logging;

public static class LoggingServiceExtensions
{
    /// <summary>The logging service: log lines, pod-log snapshots, and everything the Hub is told.</summary>
    public static IHostApplicationBuilder AddLoggingService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedApp(AppIds.Logging);
        builder.Services.AddSettings<HubSettings>(builder.Configuration);
        return builder;
    }

    public static IEndpointRouteBuilder MapLoggingService(this IEndpointRouteBuilder endpoints) => endpoints;
}
