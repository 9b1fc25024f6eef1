using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flame.Po.ServiceDefaults.Health;

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>The <c>database</c> readiness check, for a process that uses PostgreSQL.</summary>
    public static IServiceCollection AddDatabaseHealthCheck(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        return services;
    }

    /// <summary>
    /// <c>GET /po/healthz</c>: liveness, no auth, <c>{"status":"ok"}</c> while the process serves requests
    /// (docs/compatibility.md#healthz). <c>GET /readyz</c>: readiness, 200 when every dependency check passes,
    /// 503 with each failing check's reason otherwise.
    /// </summary>
    public static IEndpointRouteBuilder MapFlameHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/po/healthz", () => TypedResults.Ok(new LivenessResponse("ok")))
            .WithName("Healthz").WithTags("health").AllowAnonymous();
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReadinessAsync,
            AllowCachingResponses = false,
        }).AllowAnonymous();
        return endpoints;
    }

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        var ready = report.Status != HealthStatus.Unhealthy;
        var body = new ReadinessResponse(
            ready ? "ready" : "not_ready",
            report.Entries.ToDictionary(
                e => e.Key,
                e => new ReadinessCheck(e.Value.Status == HealthStatus.Unhealthy ? "fail" : "ok", e.Value.Description)));
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson.Options));
    }
}

public sealed record LivenessResponse(string Status);

public sealed record ReadinessResponse(string Status, IReadOnlyDictionary<string, ReadinessCheck> Checks);

public sealed record ReadinessCheck(string Status, string? Reason);

internal static class HealthJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
