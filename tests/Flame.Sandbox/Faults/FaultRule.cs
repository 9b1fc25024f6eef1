namespace Flame.Sandbox.Faults;

/// <summary>
/// One injected fault. <see cref="Route"/> is a glob over route keys such as <c>k8s:list:pods</c>,
/// <c>k8s:proxy:services</c>, <c>hub:POST:/analysis-nodes/{id}</c> or <c>keycloak:POST:/token</c>
/// (<c>*</c> matches anything). <see cref="Rate"/> is the probability per matching request.
/// </summary>
public sealed record FaultRule
{
    public required string Route { get; init; }

    public double Rate { get; init; } = 1.0;

    /// <summary>HTTP status to answer (500, 503, 429…); 0 means "no error" (e.g. latency only or a dropped watch).</summary>
    public int StatusCode { get; init; }

    /// <summary>Sent as <c>Retry-After</c> with 429/503.</summary>
    public int? RetryAfterSeconds { get; init; }

    public TimeSpan Latency { get; init; }

    /// <summary>For watches: the server ends the stream after this many events (a dropped watch the client must resume).</summary>
    public int? DropWatchAfterEvents { get; init; }

    /// <summary>Outage window (TimeProvider time); outside it the rule does nothing.</summary>
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? Until { get; init; }
}
