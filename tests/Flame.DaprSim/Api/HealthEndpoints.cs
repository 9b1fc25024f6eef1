using Flame.DaprSim.Errors;
using Flame.DaprSim.Sidecars;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flame.DaprSim.Api;

/// <summary>
/// Health and metadata routes (daprd: pkg/api/http/healthz.go, pkg/api/http/metadata.go): <c>/v1.0/healthz</c> answers
/// 204 once the app channel is up (500 ERR_HEALTH_NOT_READY before), <c>/v1.0/healthz/outbound</c> once the components are
/// loaded; <c>/v1.0/metadata</c> describes the sidecar and <c>PUT /v1.0/metadata/{key}</c> sets extended metadata.
/// </summary>
public static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, Sidecar sidecar)
    {
        routes.MapGet("/v1.0/healthz", (HttpContext context) =>
        {
            if (!sidecar.Ready)
            {
                return DaprErrors.HealthNotReady("[runtime]").WriteAsync(context);
            }

            if (context.Request.Query.TryGetValue("appid", out var appId) && appId.ToString() != sidecar.AppId)
            {
                return DaprErrors.HealthAppIdNotMatch().WriteAsync(context);
            }

            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        routes.MapGet("/v1.0/healthz/outbound", (HttpContext context) =>
        {
            if (!sidecar.OutboundReady)
            {
                return DaprErrors.OutboundHealthNotReady().WriteAsync(context);
            }

            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        routes.MapGet("/v1.0/metadata", (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(SidecarMetadata.ToJson(sidecar).ToJsonString(), context.RequestAborted);
        });
        routes.MapPut("/v1.0/metadata/{key}", async (HttpContext context, string key) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            sidecar.ExtendedMetadata[key] = await reader.ReadToEndAsync(context.RequestAborted);
            context.Response.StatusCode = 204;
        });
    }
}
