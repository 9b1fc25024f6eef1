using System.Globalization;
using System.Net;

using Microsoft.Extensions.Logging;

using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Flame.Po.Integrations.Http;

/// <summary>
/// The Polly pipelines of the two dependencies: jittered exponential retries (429 always, since the server did
/// not process the request; 5xx, timeouts and connection errors only for idempotent calls), an optional circuit
/// breaker counting every failed attempt, and a timeout per attempt.
/// </summary>
internal static class IntegrationPipelines
{
    public static readonly ResiliencePropertyKey<bool> Idempotent = new("flame.integrations.idempotent");

    public static ResiliencePipeline<HttpResponseMessage> Build(string dependency, TimeSpan attemptTimeout, bool circuitBreaker, IntegrationResilienceOptions options, TimeProvider time, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(HttpRetryRules.ShouldRetry(args.Outcome, args.Context.Properties.GetValue(Idempotent, false))),
                DelayGenerator = args => ValueTask.FromResult(HttpRetryRules.RetryAfter(args.Outcome.Result, options.MaxRetryAfter, time)),
                OnRetry = args =>
                {
                    logger.LogWarning(
                        "{Dependency} request failed ({Outcome}); retry {Attempt} in {Delay} ms",
                        dependency,
                        args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name,
                        args.AttemptNumber + 1,
                        (long)args.RetryDelay.TotalMilliseconds);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        if (circuitBreaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = Math.Max(2, options.CircuitMinimumThroughput),
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                OnOpened = args =>
                {
                    logger.LogWarning("{Dependency} circuit opened for {Seconds} s after repeated failures", dependency, (long)args.BreakDuration.TotalSeconds);
                    return default;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("{Dependency} circuit closed again", dependency);
                    return default;
                },
            });
        }

        return builder.AddTimeout(attemptTimeout).Build();
    }

    /// <summary>5xx and 429: the dependency is unwell or overloaded; anything else is an answer to act on.</summary>
    public static bool IsTransient(HttpStatusCode code) => (int)code is 429 or >= 500;

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response ? IsTransient(response.StatusCode) : HttpRetryRules.IsConnectionFailure(outcome.Exception);
}
