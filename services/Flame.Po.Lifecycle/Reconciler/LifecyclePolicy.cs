using Flame.Po.Core.Analyses;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>The time budgets and limits the decision function applies (from <see cref="LifecycleSettings"/>).</summary>
public sealed record LifecyclePolicy
{
    /// <summary>Deployments 1…10 (docs/compatibility.md#restarts); the contract text "[restart n of 10]" depends on it.</summary>
    public const int MaxDeployments = TransitionReasons.MaxDeployments;

    /// <summary>How long the analysis may take from container start to its first good healthz answer.</summary>
    public TimeSpan StartupGrace { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>How long a pod may stay unschedulable or fail to pull its image before the analysis fails.</summary>
    public TimeSpan PendingTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an analysis that answered before may stay unreachable before it is restarted.</summary>
    public TimeSpan UnresponsiveTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan RestartBackoffBase { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RestartBackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Exponential back-off after deployment <paramref name="counter"/> failed: base·2^(counter−1), capped.</summary>
    public TimeSpan RestartBackoff(int counter)
    {
        var exponent = Math.Clamp(counter - 1, 0, 20);
        var ticks = RestartBackoffBase.Ticks * Math.Pow(2, exponent);
        return ticks >= RestartBackoffMax.Ticks ? RestartBackoffMax : TimeSpan.FromTicks((long)ticks);
    }
}
