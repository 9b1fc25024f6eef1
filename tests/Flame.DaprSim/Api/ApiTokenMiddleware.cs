using Flame.DaprSim.Sidecars;

using Microsoft.AspNetCore.Http;

namespace Flame.DaprSim.Api;

/// <summary>
/// The API token check of the HTTP port (daprd: pkg/api/http/middlewares.go <c>APITokenAuthMiddleware</c>): with
/// DAPR_API_TOKEN set, requests need header <c>dapr-api-token</c> with that value, else 401 "invalid api token"; only
/// <c>GET /v1.0/healthz</c> and <c>GET /v1.0/healthz/outbound</c> are exempt. The header is removed once checked, so it is
/// never forwarded to an invoked app.
/// </summary>
public static class ApiTokenMiddleware
{
    public static async Task InvokeAsync(HttpContext context, Sidecar sidecar, Func<Task> next)
    {
        if (sidecar.ApiToken is { } expected)
        {
            var token = context.Request.Headers["dapr-api-token"].ToString();
            if (token != expected && !Exempt(context.Request))
            {
                context.Response.StatusCode = 401;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("invalid api token\n", context.RequestAborted);
                return;
            }
        }

        context.Request.Headers.Remove("dapr-api-token");
        await next();
    }

    private static bool Exempt(HttpRequest request)
    {
        var path = (request.Path.Value ?? "").Trim('/');
        return HttpMethods.IsGet(request.Method) && path is "v1.0/healthz" or "v1.0/healthz/outbound";
    }
}
