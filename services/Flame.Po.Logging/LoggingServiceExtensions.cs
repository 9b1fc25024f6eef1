using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Integrations;
using Flame.Po.Logging.Apis;
using Flame.Po.Logging.Events;
using Flame.Po.Logging.Hub;
using Flame.Po.Logging.Ingestion;
using Flame.Po.Logging.Reports;
using Flame.Po.Logging.Retention;
using Flame.Po.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.Logging;

public static class LoggingServiceExtensions
{
    /// <summary>The logging service: log lines, the PO's generated lines, and everything the Hub is told.</summary>
    public static IHostApplicationBuilder AddLoggingService(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddFlameIntegrations();
        services.AddSettings<LoggingSettings>(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<LoggingTelemetry>();
        services.AddSingleton<HubDeliverySignal>();
        services.AddSingleton<ReportPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportPublisher>());
        services.AddSingleton<HubDelivery>();
        services.AddHostedService(sp => sp.GetRequiredService<HubDelivery>());
        services.AddSingleton<LogPurgeSignal>();
        services.AddSingleton<LogRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<LogRetention>());
        services.AddSingleton<LogIngestor>();
        services.AddHostedService<LogBatchWriter>();
        services.AddScoped<AnalysisEventsSubscriber>();
        return builder;
    }

    /// <summary>The logging service's internal route and its subscription to <c>analysis-events</c>.</summary>
    public static IEndpointRouteBuilder MapLoggingService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapLoggingApi();
        endpoints.MapSubscription<AnalysisEventsSubscriber>(Topics.PubSubName, Topics.AnalysisEvents, AnalysisEventsSubscriber.Route);
        return endpoints;
    }
}
