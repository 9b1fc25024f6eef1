using System.Globalization;
using System.Net;

using Flame.Po.Integrations.Http;

using Microsoft.Extensions.Logging;

using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// Resilience of every request the official client sends, as a handler in its pipeline (the client itself has
/// none): a timeout per attempt; retries with jittered exponential backoff for idempotent requests on 5xx,
/// timeouts and transport errors, and for every request on 429 (the server did not process it), honouring
/// <c>Retry-After</c>; and a circuit breaker, so a dead API server fails requests at once instead of stalling
/// every tick. Requests marked with <see cref="NoRetry"/> (the service proxy: the analysis' own answers matter)
/// are sent once, and with <see cref="ProxiedAnswer"/> their HTTP answers are not held against the API server by
/// the breaker. A timeout or an open circuit surfaces as an <see cref="HttpRequestException"/>, like any other
/// transport failure.
/// </summary>
public sealed class KubernetesResilienceHandler : DelegatingHandler
{
    /// <summary>Set on a request to send it once (still with the timeout and the breaker).</summary>
    public static readonly HttpRequestOptionsKey<bool> NoRetry = new("flame.kubernetes.no-retry");

    /// <summary>
    /// Set on a request through the API server's service proxy: its answer is the proxied service's (an analysis
    /// that is not ready yet answers 502 or 503 tick after tick), so a 5xx does not count towards opening the
    /// circuit; a transport failure or a timeout still does.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> ProxiedAnswer = new("flame.kubernetes.proxied-answer");

    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("flame.kubernetes.request");

    private readonly KubernetesResilienceOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public KubernetesResilienceHandler(KubernetesResilienceOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.Properties.GetValue(RequestKey, null!))),
                DelayGenerator = args => ValueTask.FromResult(HttpRetryRules.RetryAfter(args.Outcome.Result, options.MaxRetryAfter, options.TimeProvider)),
                OnRetry = args =>
                {
                    _logger.LogWarning(
                        "Kubernetes request answered {Status}; retry {Attempt} in {Delay} ms",
                        args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name,
                        args.AttemptNumber + 1,
                        (long)args.RetryDelay.TotalMilliseconds);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsServerFailure(args.Outcome, args.Context.Properties.GetValue(RequestKey, null!))),
                OnOpened = args =>
                {
                    _logger.LogError("Kubernetes API failing: requests are refused for {Seconds} s", (int)args.BreakDuration.TotalSeconds);
                    return default;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state.Handler.SendOnceAsync(state.Request, ctx.CancellationToken),
                context,
                (Handler: this, Request: request));
        }
        catch (TimeoutRejectedException timeout)
        {
            throw new HttpRequestException($"The Kubernetes API did not answer within {_options.RequestTimeout.TotalSeconds:0} s.", timeout, HttpStatusCode.GatewayTimeout);
        }
        catch (BrokenCircuitException broken)
        {
            throw new HttpRequestException("The Kubernetes API is failing; requests are refused for a moment.", broken, HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>A request's content is read once per attempt: buffer it so a retry can send it again.</summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            await content.LoadIntoBufferAsync(cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>GET, HEAD, PUT and DELETE may be repeated; a POST (create) or PATCH only after a 429.</summary>
    internal static bool IsIdempotent(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete;

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage request)
    {
        if (IsSet(request, NoRetry))
        {
            return false;
        }

        return HttpRetryRules.ShouldRetry(outcome, IsIdempotent(request));
    }

    private static bool IsServerFailure(Outcome<HttpResponseMessage> outcome, HttpRequestMessage request) =>
        outcome.Result is { } response
            ? !IsSet(request, ProxiedAnswer) && (int)response.StatusCode >= 500
            : HttpRetryRules.IsConnectionFailure(outcome.Exception);

    private static bool IsSet(HttpRequestMessage request, HttpRequestOptionsKey<bool> key) =>
        request.Options.TryGetValue(key, out var value) && value;
}
