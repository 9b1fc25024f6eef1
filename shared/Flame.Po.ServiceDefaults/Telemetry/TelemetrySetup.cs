using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Flame.Po.ServiceDefaults.Telemetry;

/// <summary>
/// Metrics and traces of every target (docs/architecture.md#metrics-and-traces), in the shape of eShop's service
/// defaults (<c>ConfigureOpenTelemetry</c>, <c>AddOpenTelemetryExporters</c>): the PO's own meters and activity
/// sources (every name under <see cref="Prefix"/>), ASP.NET Core, HttpClient, Npgsql and the runtime. Metrics are
/// always on and read by Prometheus at <c>GET /metrics</c>; traces are recorded only when they go somewhere — an OTLP
/// endpoint in the standard <c>OTEL_EXPORTER_OTLP_*</c> variables — so a PO without a collector pays nothing for them.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Every meter and activity source of the PO is named under this prefix (<c>Flame.Po.Lifecycle</c>, …).</summary>
    public const string Prefix = "Flame.Po.";

    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Series kept per metric; beyond it the SDK counts measurements in one <c>otel_metric_overflow="true"</c> series.
    /// The SDK allocates this many points for every metric up front: its default of 2,000 took about 10 MB of the
    /// large-object heap in an idle host (about 50 metrics). The PO's busiest metric, the request duration by route,
    /// method and status, has about a hundred series.
    /// </summary>
    public const int CardinalityLimit = 500;

    /// <summary>Requests that are not worth a span: probes and scrapes, which arrive every few seconds.</summary>
    private static readonly string[] UntracedPaths = [MetricsPath, "/po/healthz", "/readyz"];

    /// <summary>
    /// Configures metrics (with the Prometheus exporter) and, when <see cref="TracingConfigured"/>, traces exported over
    /// OTLP. <paramref name="serviceName"/> is the resource's <c>service.name</c> unless <c>OTEL_SERVICE_NAME</c> is set.
    /// </summary>
    public static IHostApplicationBuilder AddFlameTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : serviceName,
                serviceNamespace: "flame"))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(Prefix + "*")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0);

                // Meters made by an IMeterFactory belong to that factory's host. The SDK listens to meters by name in
                // the whole process, so a process with several hosts (tests) would mix their counts; each host keeps
                // to its own factory's meters and the process-wide ones (runtime, Npgsql), each with at most
                // CardinalityLimit series.
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, provider) =>
                {
                    var own = services.GetRequiredService<IMeterFactory>();
                    provider.AddView(instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own)
                        ? MetricStreamConfiguration.Drop
                        : new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit });
                });
            });
        if (TracingConfigured(builder.Configuration))
        {
            builder.AddFlameTracing(tracing => tracing.AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>
    /// True when an OTLP endpoint for traces is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or
    /// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) and neither <c>OTEL_SDK_DISABLED=true</c> nor
    /// <c>OTEL_TRACES_EXPORTER=none</c> turns it off.
    /// </summary>
    public static bool TracingConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(configuration["OTEL_TRACES_EXPORTER"], "none", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
    }

    /// <summary>
    /// Records the PO's spans: its own activity sources, ASP.NET Core (without probes and scrapes), HttpClient and
    /// Npgsql, handed to <paramref name="export"/> (the OTLP exporter; tests add an in-memory one). Idempotent apart
    /// from the exporters.
    /// </summary>
    public static IHostApplicationBuilder AddFlameTracing(this IHostApplicationBuilder builder, Action<TracerProviderBuilder> export)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(export);
        var first = !builder.Services.Any(d => d.ServiceType == typeof(TracingMarker));
        builder.Services.AddSingleton<TracingMarker>();
        builder.Services.AddOpenTelemetry().WithTracing(tracing =>
        {
            if (first)
            {
                tracing
                    .AddSource(Prefix + "*")
                    .AddAspNetCoreInstrumentation(options => options.Filter = http => !UntracedPaths.Contains(http.Request.Path.Value, StringComparer.Ordinal))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
            }

            export(tracing);
        });
        return builder;
    }

    /// <summary><c>GET /metrics</c>: Prometheus text format, no authentication (the NetworkPolicy limits who reaches it).</summary>
    public static IEndpointRouteBuilder MapFlameMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private sealed class TracingMarker;
}
