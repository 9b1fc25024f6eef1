namespace Flame.Po.Lifecycle.Analyses;

/// <summary>
/// Where the reconciler is in the life of an analysis; the user-visible <see cref="AnalysisRecord.Status"/> is
/// separate. Each phase is resumable: after a crash the reconciler picks up from the persisted phase.
/// </summary>
public enum LifecyclePhase
{
    /// <summary>The current deployment should exist and run; missing objects are (re)created.</summary>
    Active,

    /// <summary>The current deployment is archived and torn down; the next one starts after the back-off.</summary>
    Restarting,

    /// <summary>A terminal status was reached: archive, delete every object, delete the Keycloak client if due.</summary>
    Finalizing,

    /// <summary>Nothing left in the cluster; the record stays for status and history until deleted.</summary>
    Finished,

    /// <summary>
    /// Accepted but not admitted: <c>MAX_CONCURRENT_ANALYSES</c> analyses hold a slot. Only the analysis' Secrets
    /// exist (the credentials must live somewhere, and never in the PO); status <c>starting</c>, reason <c>queued</c>.
    /// </summary>
    Queued,
}
