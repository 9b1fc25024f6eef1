using System.Text.Json.Nodes;

using Flame.Sandbox.Scenarios;
using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// <c>services/{name}[:{port}]/proxy/{path}</c>: forwards to a ready endpoint of the Service. For
/// <c>nginx-&lt;D&gt;</c> it plays the analysis nginx (docs/compatibility.md#nginx-routes): <c>/healthz</c> answers
/// itself, <c>/analysis/…</c> goes to the analysis behind Service <c>D</c>; analysis pods answer the SDK contract
/// (docs/compatibility.md#analysis-sdk).
/// </summary>
public sealed class ServiceProxy(KubernetesRuntime runtime)
{
    /// <summary>nginx's <c>proxy_read_timeout</c> (its default): how long nginx waits for an analysis that hangs.</summary>
    private static readonly TimeSpan NginxReadTimeout = TimeSpan.FromSeconds(60);

    public async Task HandleAsync(HttpContext context, ApiPath api, CancellationToken ct)
    {
        var (serviceName, port) = SplitNamePort(api.Name!);
        var service = runtime.Api.Get(ResourceCatalog.Services, api.Namespace, serviceName);
        var ports = service.At("spec", "ports").Objects().ToList();
        var matchingPort = port is null ? ports.FirstOrDefault() : ports.FirstOrDefault(p => p.Num("port")?.ToString(System.Globalization.CultureInfo.InvariantCulture) == port || p.Str("name") == port);
        var endpoint = matchingPort is null ? null : ReadyEndpoint(api.Namespace!, service);
        if (endpoint is null)
        {
            throw new ApiException(503, "ServiceUnavailable", $"no endpoints available for service \"{serviceName}\"");
        }

        var path = "/" + (api.Rest ?? "");
        var body = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0
            ? await RequestBodies.ReadAsync(context.Request, ct)
            : null;
        var app = AppOf(endpoint);
        if (app is null && serviceName.StartsWith("nginx-", StringComparison.Ordinal))
        {
            await NginxAsync(context, api.Namespace!, serviceName["nginx-".Length..], path, body, ct);
            return;
        }

        await AnalysisAsync(context, app, endpoint, path, body, ct);
    }

    private static (string Name, string? Port) SplitNamePort(string value)
    {
        var parts = value.Split(':');
        return parts.Length switch
        {
            1 => (parts[0], null),
            2 => (parts[0], parts[1]),
            _ => (parts[1], parts[2]),
        };
    }

    private JsonObject? ReadyEndpoint(string ns, JsonObject service)
    {
        var selector = service.At("spec", "selector").StringMap();
        if (selector.Count == 0)
        {
            return null;
        }

        return runtime.Api.Store.FindFirst(ResourceCatalog.Pods, ns, selector, p =>
            p.Str("metadata", "deletionTimestamp") is null
            && p.Str("status", "phase") == "Running"
            && p.At("status", "conditions").Objects().Any(c => c.Str("type") == "Ready" && c.Str("status") == "True"));
    }

    private AnalysisApp? AppOf(JsonObject pod) =>
        runtime.Kubelet.Find(pod.Str("metadata", "uid")!)?.Containers.Select(c => c.App).FirstOrDefault(a => a is not null);

    private async Task NginxAsync(HttpContext context, string ns, string deployment, string path, JsonNode? body, CancellationToken ct)
    {
        if (path == "/healthz" || path.StartsWith("/healthz/", StringComparison.Ordinal))
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("healthy", ct);
            return;
        }

        if (path == "/analysis" || path.StartsWith("/analysis/", StringComparison.Ordinal))
        {
            var analysisService = runtime.Api.Store.Get(ResourceCatalog.Services, ns, deployment);
            var endpoint = analysisService is null ? null : ReadyEndpoint(ns, analysisService);
            if (endpoint is null)
            {
                await NginxErrorAsync(context, 502, "Bad Gateway", ct);
                return;
            }

            await AnalysisAsync(context, AppOf(endpoint), endpoint, path["/analysis".Length..], body, ct, viaNginx: true);
            return;
        }

        // The proxy request comes from the API server, which is not on any allow-list of the analysis nginx.
        await NginxErrorAsync(context, 403, "Forbidden", ct);
    }

    private async Task AnalysisAsync(HttpContext context, AnalysisApp? app, JsonObject endpoint, string path, JsonNode? body, CancellationToken ct, bool viaNginx = false)
    {
        if (app is { Listening: true, Hung: true })
        {
            // Holds the request until the caller gives up (the request is aborted) or nginx's read timeout.
            await runtime.Clock.Delay(NginxReadTimeout, ct);
            if (viaNginx)
            {
                await NginxErrorAsync(context, 504, "Gateway Time-out", ct);
                return;
            }

            throw new ApiException(503, "ServiceUnavailable", $"error trying to reach service: read tcp {endpoint.Str("status", "podIP")}:8000: i/o timeout");
        }

        if (app is null || !app.Listening)
        {
            if (viaNginx)
            {
                await NginxErrorAsync(context, 502, "Bad Gateway", ct);
                return;
            }

            throw new ApiException(503, "ServiceUnavailable", $"error trying to reach service: dial tcp {endpoint.Str("status", "podIP")}:8000: connect: connection refused");
        }

        var (code, response) = app.Handle(context.Request.Method, path.Length == 0 ? "/" : path, body);
        await StatusWriter.WriteJsonAsync(context.Response, code, response, ct);
    }

    private static async Task NginxErrorAsync(HttpContext context, int code, string text, CancellationToken ct)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync($"<html>\r\n<head><title>{code} {text}</title></head>\r\n<body>\r\n<center><h1>{code} {text}</h1></center>\r\n<hr><center>nginx/1.29.8</center>\r\n</body>\r\n</html>\r\n", ct);
    }
}
