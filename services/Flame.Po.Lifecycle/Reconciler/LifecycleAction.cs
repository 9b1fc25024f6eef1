namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// One idempotent step chosen by <see cref="LifecycleDecision.Decide"/>. Steps that change the record are applied
/// with an ETag compare-and-swap first, so of two overlapping reconcilers only one acts.
/// </summary>
public abstract record LifecycleAction
{
    /// <summary>
    /// Nothing to do now; <paramref name="Why"/> explains what is awaited (for logs and tests). <paramref name="For"/>
    /// names the waits a transition sleeps through (a durable timer in a workflow) instead of ending there, and
    /// <paramref name="Until"/> when that wait ends by itself (the restart back-off).
    /// </summary>
    public sealed record Wait(string Why, WaitFor For = WaitFor.Observation, DateTimeOffset? Until = null) : LifecycleAction;

    /// <summary>Create the missing objects of the current deployment (409 = already there).</summary>
    public sealed record CreateObjects(DeploymentObjects Missing) : LifecycleAction;

    /// <summary>Delete objects left from older deployments of the analysis (a restart interrupted by a crash).</summary>
    public sealed record DeleteStaleObjects : LifecycleAction;

    /// <summary>Record a new status of a running analysis (<c>started</c>, <c>executing</c>).</summary>
    public sealed record SetStatus(string Status, string? Reason = null, DateTimeOffset? ContainerStartedAt = null) : LifecycleAction;

    /// <summary>Remember the first failed probe of an analysis that had answered (null clears it).</summary>
    public sealed record SetUnhealthySince(DateTimeOffset? Since) : LifecycleAction;

    /// <summary>Give up on the current deployment and start the next one after the back-off.</summary>
    public sealed record BeginRestart(string Reason) : LifecycleAction;

    /// <summary>Reach a terminal status; the record moves to <see cref="Analyses.LifecyclePhase.Finalizing"/>.</summary>
    public sealed record Terminate(string Status, string Reason) : LifecycleAction;

    /// <summary>Capture the pod logs of the current deployment into the archive before anything is deleted.</summary>
    public sealed record ArchiveDeployment : LifecycleAction;

    /// <summary>Delete every object of the current deployment (restart), keeping the analysis' Secrets.</summary>
    public sealed record DeleteDeploymentObjects : LifecycleAction;

    /// <summary>A queued analysis got a slot: it becomes <see cref="Analyses.LifecyclePhase.Active"/> and starts.</summary>
    public sealed record Admit : LifecycleAction;

    /// <summary>Start the next deployment: counter + 1, status <c>starting</c>.</summary>
    public sealed record Redeploy : LifecycleAction;

    /// <summary>Delete every object of the analysis, Secrets included.</summary>
    public sealed record DeleteAllObjects : LifecycleAction;

    /// <summary>Delete the analysis' Keycloak client (executed or deleted analyses).</summary>
    public sealed record DeleteKeycloakClient : LifecycleAction;

    /// <summary>Cleanup is complete: the record becomes <see cref="Analyses.LifecyclePhase.Finished"/>.</summary>
    public sealed record Complete : LifecycleAction;

    /// <summary>Remove the record of a deleted analysis.</summary>
    public sealed record Forget : LifecycleAction;

    /// <summary>Issue a new Keycloak token, write it to the credentials Secret and hand it to the analysis.</summary>
    public sealed record RefreshToken : LifecycleAction;

    /// <summary>Re-render the nginx config with current pod IPs and roll nginx (docs/compatibility.md#b9).</summary>
    public sealed record UpdateNginxConfig : LifecycleAction;
}

/// <summary>What a <see cref="LifecycleAction.Wait"/> waits for.</summary>
public enum WaitFor
{
    /// <summary>The next observation of a running analysis (its container, its answer, its end).</summary>
    Observation,

    /// <summary>The analysis pod's IP address, which the nginx config needs.</summary>
    PodAddress,

    /// <summary>The node services nginx forwards to (Hub adapter, message broker, …).</summary>
    NodeServices,

    /// <summary>The restart back-off (<see cref="LifecycleAction.Wait.Until"/>).</summary>
    RestartBackOff,

    /// <summary>A slot for a queued analysis (MAX_CONCURRENT_ANALYSES).</summary>
    Admission,
}
