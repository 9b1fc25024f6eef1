using System.Diagnostics;
using System.Globalization;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// Counts every request the official client sends (each attempt: it sits inside <see cref="KubernetesResilienceHandler"/>)
/// as <c>flame_po_kubernetes_requests_total{verb,resource,code}</c> and wraps it in a client span
/// (docs/architecture.md#metrics-and-traces). Labels come from the request line only, never from names: the verb as
/// Kubernetes names it, the resource with its subresource (<c>pods/log</c>, <c>services/proxy</c>) and the HTTP status
/// code, or <c>error</c>/<c>timeout</c> when there was no answer.
/// </summary>
public sealed class KubernetesTelemetryHandler(LifecycleTelemetry? telemetry) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (verb, resource) = Describe(request.Method, request.RequestUri);
        using var activity = LifecycleTelemetry.Source.StartActivity($"kubernetes {verb} {resource}", ActivityKind.Client);
        activity?.SetTag("k8s.verb", verb);
        activity?.SetTag("k8s.resource", resource);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var code = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            if ((int)response.StatusCode >= 500)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            telemetry?.KubernetesRequest(verb, resource, code);
            return response;
        }
        catch (Exception error)
        {
            var code = error is OperationCanceledException ? "timeout" : "error";
            activity?.SetStatus(ActivityStatusCode.Error, code);
            telemetry?.KubernetesRequest(verb, resource, code);
            throw;
        }
    }

    /// <summary>
    /// The Kubernetes verb and resource of a request: <c>GET …/pods</c> is <c>list pods</c>, <c>GET …/pods/x/log</c> is
    /// <c>get pods/log</c>, <c>DELETE</c> of a collection is <c>deletecollection</c>. Paths outside <c>/api</c> and
    /// <c>/apis</c> (version, discovery, OpenAPI) are resource <c>other</c>.
    /// </summary>
    public static (string Verb, string Resource) Describe(HttpMethod method, Uri? uri)
    {
        ArgumentNullException.ThrowIfNull(method);
        var segments = (uri?.IsAbsoluteUri == true ? uri.AbsolutePath : uri?.OriginalString.Split('?')[0] ?? "")
            .Split('/', StringSplitOptions.RemoveEmptyEntries);
        // A kubeconfig server may carry a path prefix (a proxy in front of the API server): look for the API root.
        var root = Array.FindIndex(segments, s => s is "api" or "apis");
        string? resource = null;
        var named = false;
        if (root >= 0)
        {
            // /api/{version}/…, /apis/{group}/{version}/…
            var rest = segments.Skip(root + (segments[root] == "api" ? 2 : 3)).ToArray();
            if (rest.Length > 2 && rest[0] == "namespaces")
            {
                rest = rest[2..];
            }

            if (rest.Length > 0)
            {
                resource = rest[0];
                named = rest.Length > 1;
                if (rest.Length > 2)
                {
                    resource += "/" + rest[2];
                }
            }
        }

        var watch = uri?.Query.Contains("watch=true", StringComparison.OrdinalIgnoreCase) == true
            || uri?.Query.Contains("watch=1", StringComparison.Ordinal) == true;
        var verb = method.Method switch
        {
            "GET" when watch => "watch",
            "GET" => named ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => named ? "delete" : "deletecollection",
            _ => "other",
        };
        return (verb, resource is not null && IsResourceName(resource) ? resource : "other");
    }

    /// <summary>Resource names are lower-case DNS labels; anything else (an escaped name, a typo) is not a label value.</summary>
    private static bool IsResourceName(string resource) =>
        resource.Length <= 80 && resource.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '/');
}
