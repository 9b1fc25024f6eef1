namespace Flame.Po.Lifecycle.Cluster;

/// <summary>Bounds of <see cref="KubernetesResilienceHandler"/>.</summary>
public sealed record KubernetesResilienceOptions
{
    /// <summary>Timeout of one attempt.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt (429 for every request; 5xx and timeouts for idempotent ones).</summary>
    public int MaxRetries { get; init; } = 4;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Upper bound for a server's <c>Retry-After</c>, so one answer cannot stall the reconciler.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The circuit opens when this share of the attempts in <see cref="BreakerSamplingDuration"/> failed …</summary>
    public double BreakerFailureRatio { get; init; } = 0.9;

    /// <summary>… and there were at least this many.</summary>
    public int BreakerMinimumThroughput { get; init; } = 20;

    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
