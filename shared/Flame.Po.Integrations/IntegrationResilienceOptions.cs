namespace Flame.Po.Integrations;

/// <summary>
/// Timeouts, retries and circuit breaking of the Keycloak and Hub clients. Fixed defaults, not environment
/// variables: an operator has no reason to tune them, and tests shorten them through <c>Configure</c>.
/// </summary>
public sealed class IntegrationResilienceOptions
{
    /// <summary>Per attempt against Keycloak.</summary>
    public TimeSpan KeycloakAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Per attempt against the Hub (the old service's 5 s, docs/compatibility.md#hub).</summary>
    public TimeSpan HubAttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxRetries { get; set; } = 3;

    /// <summary>Base of the jittered exponential backoff.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound on a server's Retry-After, so one answer cannot park a caller for minutes.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed Hub calls (after retries) in <see cref="CircuitSamplingDuration"/> that open the circuit.</summary>
    public int CircuitMinimumThroughput { get; set; } = 4;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tokens are renewed once this share of their lifetime has passed.</summary>
    public double TokenRenewalShare { get; set; } = 0.8;
}
