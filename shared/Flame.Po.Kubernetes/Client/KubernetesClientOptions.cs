namespace Flame.Po.Kubernetes.Client;

public sealed record KubernetesClientOptions
{
    /// <summary>Timeout of one attempt of an ordinary call; watches and followed logs have none.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt (429 for every call; 5xx and timeouts for idempotent calls).</summary>
    public int MaxRetries { get; init; } = 4;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Upper bound for a server's <c>Retry-After</c>, so one answer cannot stall the reconciler.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Server-side bound of one watch request; the watcher reconnects after it.</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;

    public TimeSpan WatchBackoffBase { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan WatchBackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Field manager of server-side apply.</summary>
    public string FieldManager { get; init; } = "flame-pod-orchestrator";

    public int ListPageSize { get; init; } = 500;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
