namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>The analysis' answer to <c>GET /analysis/healthz</c> through its nginx (docs/compatibility.md#analysis-sdk).</summary>
public sealed record ProbeResult
{
    /// <summary>The reported status (<c>executing, executed, stuck, stopped, failed, starting…</c>); null when it did not answer.</summary>
    public string? Status { get; init; }

    public int? TokenRemainingSeconds { get; init; }

    /// <summary>Why there is no usable answer: connection error, timeout, HTTP status, malformed body.</summary>
    public string? Error { get; init; }

    public bool Answered => Status is not null;

    public static ProbeResult Reported(string status, int? tokenRemainingSeconds = null) => new() { Status = status, TokenRemainingSeconds = tokenRemainingSeconds };

    public static ProbeResult Unreachable(string error) => new() { Error = error };
}
