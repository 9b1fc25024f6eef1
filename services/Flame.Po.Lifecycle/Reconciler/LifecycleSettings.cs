using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>Time budgets of the lifecycle: explicit, configurable, Kubernetes-first (docs/compatibility.md#time-budgets).</summary>
public sealed class LifecycleSettings : IValidatedSettings
{
    /// <summary>
    /// false freezes automatic actions: commands and reads keep working, but no analysis is advanced, restarted or
    /// cleaned up (for investigating an incident, or for a replica that must only serve commands).
    /// </summary>
    [ConfigurationKeyName("RECONCILER_ENABLED")]
    public bool ReconcilerEnabled { get; set; } = true;

    /// <summary>Seconds from container start to the first good healthz answer before the analysis counts as slow.</summary>
    [ConfigurationKeyName("STARTUP_GRACE")]
    public double StartupGraceSeconds { get; set; } = 180;

    /// <summary>Seconds a pod may stay unschedulable or fail to pull its image before the analysis fails.</summary>
    [ConfigurationKeyName("PENDING_TIMEOUT")]
    public double PendingTimeoutSeconds { get; set; } = 300;

    /// <summary>Seconds an analysis that answered before may stay unreachable before it is restarted.</summary>
    [ConfigurationKeyName("UNRESPONSIVE_TIMEOUT")]
    public double UnresponsiveTimeoutSeconds { get; set; } = 120;

    /// <summary>Back-off before restart n is base·2^(n−1) seconds, capped by RESTART_BACKOFF_MAX.</summary>
    [ConfigurationKeyName("RESTART_BACKOFF_BASE")]
    public double RestartBackoffBaseSeconds { get; set; } = 10;

    [ConfigurationKeyName("RESTART_BACKOFF_MAX")]
    public double RestartBackoffMaxSeconds { get; set; } = 300;

    /// <summary>Fraction of a Keycloak token's lifetime after which the analysis gets a new one.</summary>
    [ConfigurationKeyName("TOKEN_REFRESH_FRACTION")]
    public double TokenRefreshFraction { get; set; } = 0.5;

    /// <summary>Seconds one healthz probe of an analysis may take.</summary>
    [ConfigurationKeyName("HEALTHZ_TIMEOUT")]
    public double HealthzTimeoutSeconds { get; set; } = 5;

    /// <summary>Analyses advanced (steps: API-server and database writes) at the same time within one tick, and command follow-ups worked off at once.</summary>
    [ConfigurationKeyName("RECONCILE_PARALLELISM")]
    public int Parallelism { get; set; } = 32;

    /// <summary>
    /// Analyses probed (healthz, partner statuses) at the same time within one tick. Probes wait on the network,
    /// so this bound is far higher than <see cref="Parallelism"/>: with S analyses that never answer, probing
    /// takes about ⌈S / PROBE_PARALLELISM⌉ × HEALTHZ_TIMEOUT, whatever the number of analyses that do.
    /// </summary>
    [ConfigurationKeyName("PROBE_PARALLELISM")]
    public int ProbeParallelism { get; set; } = 256;

    /// <summary>Objects labelled as ours whose analysis the PO does not know are deleted after this many seconds.</summary>
    [ConfigurationKeyName("ORPHAN_GRACE")]
    public double OrphanGraceSeconds { get; set; } = 120;

    /// <summary>
    /// Analyses that may hold a workload at once; further creates are accepted and queued (first come, first served).
    /// 0 = unlimited. Restarts of a running analysis never wait.
    /// </summary>
    [ConfigurationKeyName("MAX_CONCURRENT_ANALYSES")]
    public int MaxConcurrentAnalyses { get; set; }

    public LifecyclePolicy ToPolicy() => new()
    {
        StartupGrace = TimeSpan.FromSeconds(StartupGraceSeconds),
        PendingTimeout = TimeSpan.FromSeconds(PendingTimeoutSeconds),
        UnresponsiveTimeout = TimeSpan.FromSeconds(UnresponsiveTimeoutSeconds),
        RestartBackoffBase = TimeSpan.FromSeconds(RestartBackoffBaseSeconds),
        RestartBackoffMax = TimeSpan.FromSeconds(RestartBackoffMaxSeconds),
    };

    public TimeSpan HealthzTimeout => TimeSpan.FromSeconds(HealthzTimeoutSeconds);
    public TimeSpan OrphanGrace => TimeSpan.FromSeconds(OrphanGraceSeconds);

    public IEnumerable<string> Validate()
    {
        var positive = new (double Value, string Name)[]
        {
            (StartupGraceSeconds, "STARTUP_GRACE"), (PendingTimeoutSeconds, "PENDING_TIMEOUT"),
            (UnresponsiveTimeoutSeconds, "UNRESPONSIVE_TIMEOUT"), (RestartBackoffBaseSeconds, "RESTART_BACKOFF_BASE"),
            (RestartBackoffMaxSeconds, "RESTART_BACKOFF_MAX"), (HealthzTimeoutSeconds, "HEALTHZ_TIMEOUT"),
            (OrphanGraceSeconds, "ORPHAN_GRACE"),
        };
        foreach (var problem in positive.SelectMany(p => SettingRules.Positive(p.Value, p.Name, "seconds")))
        {
            yield return problem;
        }

        if (TokenRefreshFraction is <= 0 or >= 1)
        {
            yield return "TOKEN_REFRESH_FRACTION must be between 0 and 1 (exclusive), e.g. 0.5.";
        }

        if (Parallelism is < 1 or > 1024)
        {
            yield return "RECONCILE_PARALLELISM must be between 1 and 1024.";
        }

        if (MaxConcurrentAnalyses < 0)
        {
            yield return "MAX_CONCURRENT_ANALYSES must be 0 (unlimited) or a positive number of analyses.";
        }

        if (ProbeParallelism is < 1 or > 4096)
        {
            yield return "PROBE_PARALLELISM must be between 1 and 4096.";
        }
    }
}
