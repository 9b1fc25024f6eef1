using System.Globalization;
using System.Text.Json.Nodes;

using Flame.Sandbox.Kubernetes;

namespace Flame.Sandbox.Faults;

/// <summary>Counts every request by route key and applies the injected faults (latency, error status, Retry-After).</summary>
public sealed class FaultMiddleware(FaultInjector faults, RequestCounters counters, TimeProvider time, Func<HttpRequest, string> routeKey)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var key = routeKey(context.Request);
        if (key.StartsWith("sim:", StringComparison.Ordinal))
        {
            await next();
            return;
        }

        counters.Increment(key);
        var fault = faults.Decide(key, watchDrops: false);
        if (fault is null)
        {
            await next();
            return;
        }

        if (fault.Latency > TimeSpan.Zero)
        {
            await Task.Delay(fault.Latency, time, context.RequestAborted);
        }

        if (fault.StatusCode == 0)
        {
            await next();
            return;
        }

        if (fault.RetryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        }

        if (key.StartsWith("k8s:", StringComparison.Ordinal))
        {
            var (reason, message) = fault.StatusCode switch
            {
                429 => ("TooManyRequests", "Too many requests, please try again later."),
                503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
                504 => ("Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"),
                _ => ("InternalError", "Internal error occurred: injected fault"),
            };
            var error = new ApiException(fault.StatusCode, reason, message, fault.RetryAfterSeconds is { } s ? new JsonObject { ["retryAfterSeconds"] = s } : null);
            await StatusWriter.WriteErrorAsync(context.Response, error, context.RequestAborted);
            return;
        }

        await StatusWriter.WriteJsonAsync(context.Response, fault.StatusCode, new JsonObject { ["error"] = "injected fault", ["statusCode"] = fault.StatusCode }, context.RequestAborted);
    }
}
