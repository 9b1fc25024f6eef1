namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>Everything one tick saw of one analysis: a pure input of <see cref="LifecycleDecision.Decide"/>.</summary>
public sealed record AnalysisObservation
{
    /// <summary>Objects of the current deployment that exist and are not being deleted.</summary>
    public DeploymentObjects Present { get; init; }

    /// <summary>Objects of other (older) deployments of the same analysis still exist.</summary>
    public bool StaleDeploymentObjects { get; init; }

    /// <summary>The analysis' Secrets (pull and credentials) exist.</summary>
    public bool SecretsPresent { get; init; }

    /// <summary>Any object of the analysis exists, including ones being deleted.</summary>
    public bool AnyObjectPresent { get; init; }

    public PodObservation? AnalysisPod { get; init; }

    /// <summary>The nginx pod runs and can forward to the analysis.</summary>
    public bool NginxReady { get; init; }

    /// <summary>
    /// The nginx ConfigMap, or the config hash nginx was rolled with, differs from the config rendered with today's
    /// pod IPs (docs/compatibility.md#b9).
    /// </summary>
    public bool NginxConfigStale { get; init; }

    /// <summary>Node services and source pod IPs needed by the nginx config are all known.</summary>
    public bool NodeServicesKnown { get; init; } = true;

    public ProbeResult? Probe { get; init; }

    /// <summary>A queued analysis was given a slot by <see cref="AdmissionControl"/> and may start.</summary>
    public bool Admitted { get; init; }

    public static AnalysisObservation Empty { get; } = new();
}
