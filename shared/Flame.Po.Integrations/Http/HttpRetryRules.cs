using Polly;
using Polly.Timeout;

namespace Flame.Po.Integrations.Http;

/// <summary>
/// When an HTTP attempt may be repeated and after how long — shared by the Hub and Keycloak pipelines and the
/// Kubernetes client's resilience handler: 429 always (the server did not process the request); 5xx, timeouts
/// and connection errors only for idempotent requests; the server's <c>Retry-After</c> when it sends one.
/// </summary>
public static class HttpRetryRules
{
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, bool idempotent)
    {
        if (outcome.Result is { } response)
        {
            var code = (int)response.StatusCode;
            return code == 429 || (idempotent && code >= 500);
        }

        return idempotent && IsConnectionFailure(outcome.Exception);
    }

    /// <summary>No answer at all: the connection failed or the attempt timed out.</summary>
    public static bool IsConnectionFailure(Exception? exception) => exception is HttpRequestException or TimeoutRejectedException or IOException;

    /// <summary>The server's Retry-After (seconds or date), capped at <paramref name="max"/>; null selects the jittered backoff.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var header = response?.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        return delay is null ? null : TimeSpan.FromTicks(Math.Clamp(delay.Value.Ticks, 0, max.Ticks));
    }
}
