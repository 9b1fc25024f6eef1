using Flame.DaprSim.Errors;
using Flame.DaprSim.Inspection;
using Flame.DaprSim.PubSub;
using Flame.DaprSim.Sidecars;

using Grpc.Core;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Flame.DaprSim.Invocation;

/// <summary>
/// HTTP service invocation (Dapr docs: service-invocation; daprd: pkg/api/http/directmessaging.go,
/// pkg/messaging/direct_messaging.go, pkg/api/grpc/daprinternal.go <c>CallLocal</c>, pkg/channel/http/http_channel.go).
/// The calling sidecar resolves the target app id to one of its replicas (round-robin, preferring reachable apps), the
/// target's access control decides with the caller's identity, and the request goes to the target app with the verb, path,
/// query, headers and body it came with, minus the caller's API token and plus the target's app token. The app's status,
/// headers and body pass through unchanged.
/// Retries: daprd's built-in service retries (3 × 1 s) apply only when the target sidecar is unreachable (gRPC Unavailable);
/// a simulated sidecar is always reachable, and an unreachable app is an Internal error daprd does not retry, so the
/// simulator never retries. Resiliency policies for apps are not applied.
/// </summary>
public sealed class ServiceInvoker
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings", "te", "trailer",
        "proxy-authorization", "proxy-authenticate", "host", "content-length", "dapr-api-token", "dapr-app-id",
        "dapr-caller-app-id", "dapr-caller-namespace", "dapr-callee-app-id", "traceparent", "tracestate",
    };

    private static readonly HashSet<string> NotReturned = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings", "te", "trailer",
        "proxy-authorization", "proxy-authenticate", "content-length",
    };

    private readonly Sidecar _caller;

    public ServiceInvoker(Sidecar caller)
    {
        _caller = caller;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var target = InvocationTarget.Parse(request.Path.Value ?? "", request.Headers["dapr-app-id"].ToString());
        if (target is null)
        {
            await DaprErrors.DirectInvokeNoAppId().WriteAsync(context);
            return;
        }

        var verb = request.Method.ToUpperInvariant();
        var targetName = target.Namespace is null ? target.AppId : $"{target.AppId}.{target.Namespace}";
        string method;
        try
        {
            method = InvocationTarget.Normalize(target.Method);
        }
        catch (FormatException e)
        {
            await Fail(context, target.AppId, null, verb, target.Method, DaprErrors.DirectInvoke(targetName, DaprApiException.GoRpcError(StatusCode.InvalidArgument, "invalid method: " + e.Message)));
            return;
        }

        var sidecar = Resolve(target);
        if (sidecar is null)
        {
            await Fail(context, target.AppId, null, verb, method, DaprErrors.DirectInvoke(targetName, "couldn't find service: " + target.AppId));
            return;
        }

        if (!sidecar.AppChannel.Initialized)
        {
            await Fail(context, target.AppId, sidecar.Replica, verb, method, DaprErrors.DirectInvoke(targetName, DaprApiException.GoRpcError(StatusCode.Internal, "app channel is not initialized")));
            return;
        }

        // A call to the caller's own app id stays local and skips access control (daprd: invokeLocal).
        var local = sidecar.AppId == _caller.AppId && sidecar.Namespace == _caller.Namespace;
        if (!local && sidecar.AccessControl is { } acl)
        {
            var identity = _caller.Runtime.Options.Mtls ? new CallerIdentity(_caller.Configuration.TrustDomain, _caller.Namespace, _caller.AppId) : null;
            if (!acl.IsAllowed(identity, method, verb))
            {
                var id = identity?.SpiffeId ?? "";
                var denied = DaprApiException.GoRpcError(StatusCode.PermissionDenied, $"access control policy has denied access to id: {id} operation: {method} verb: {verb}");
                await Fail(context, target.AppId, sidecar.Replica, verb, method, DaprErrors.DirectInvoke(targetName, denied, 403), denied: true);
                return;
            }
        }

        await ForwardAsync(context, sidecar, target.AppId, verb, method);
    }

    private Sidecar? Resolve(InvocationTarget target)
    {
        var @namespace = target.Namespace ?? _caller.Namespace;
        if (target.AppId == _caller.AppId && @namespace == _caller.Namespace)
        {
            return _caller;
        }

        var replicas = _caller.Runtime.Replicas(target.AppId, @namespace);
        return _caller.Runtime.PickRoundRobin($"invoke|{@namespace}|{target.AppId}", replicas, s => s.AppChannel.Initialized && s.AppChannel.Reachable);
    }

    private async Task ForwardAsync(HttpContext context, Sidecar sidecar, string appId, string verb, string method)
    {
        var request = context.Request;
        var path = "/" + string.Join('/', method.Split('/').Select(Uri.EscapeDataString)) + request.QueryString.Value;
        using var outgoing = new HttpRequestMessage(new HttpMethod(verb), path);
        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            outgoing.Content = new StreamContent(request.Body);
            if (request.ContentType is { } contentType)
            {
                outgoing.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        foreach (var (name, values) in request.Headers)
        {
            if (NotForwarded.Contains(name) || name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                outgoing.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // Identity headers the target app sees (daprd: addCallerAndCalleeAppIDHeaderToMetadata) and a continued trace.
        outgoing.Headers.TryAddWithoutValidation("dapr-caller-app-id", _caller.AppId);
        outgoing.Headers.TryAddWithoutValidation("dapr-caller-namespace", _caller.Namespace);
        outgoing.Headers.TryAddWithoutValidation("dapr-callee-app-id", sidecar.AppId);
        var trace = TraceContext.From(request.Headers["traceparent"], request.Headers["tracestate"]);
        outgoing.Headers.TryAddWithoutValidation("traceparent", trace.TraceParent);
        if (trace.TraceState.Length > 0)
        {
            outgoing.Headers.TryAddWithoutValidation("tracestate", trace.TraceState);
        }

        HttpResponseMessage response;
        try
        {
            response = await sidecar.AppChannel.SendAsync(outgoing, context.RequestAborted, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            var detail = DaprApiException.GoRpcError(StatusCode.Internal, "error invoking app channel: " + e.Message);
            await Fail(context, appId, sidecar.Replica, verb, method, DaprErrors.DirectInvoke(appId, detail));
            return;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            context.Response.StatusCode = status;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!NotReturned.Contains(name))
                {
                    context.Response.Headers[name] = new StringValues(values.ToArray());
                }
            }

            Record(appId, sidecar.Replica, verb, method, status, false);
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private async Task Fail(HttpContext context, string appId, int? replica, string verb, string method, DaprApiException error, bool denied = false)
    {
        Record(appId, replica, verb, method, error.HttpStatus, denied);
        await error.WriteAsync(context);
    }

    private void Record(string appId, int? replica, string verb, string method, int status, bool denied) =>
        _caller.Runtime.Recorder.Add(new InvocationRecord(_caller.AppId, _caller.Replica, appId, replica, verb, method, status, denied, DateTimeOffset.UtcNow));
}
