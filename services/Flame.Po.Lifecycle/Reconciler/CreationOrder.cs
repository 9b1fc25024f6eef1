namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// The one order in which the objects of a deployment <c>D</c> are created: NetworkPolicies first
/// (docs/compatibility.md#b21), then the analysis Deployment and its Service, then nginx (its config needs the
/// analysis pod's IP, and nginx resolves its upstreams at start). The per-analysis Secrets precede them all.
/// </summary>
public static class CreationOrder
{
    public static readonly IReadOnlyList<DeploymentObjects> Objects =
    [
        DeploymentObjects.AnalysisPolicy,
        DeploymentObjects.NginxPolicy,
        DeploymentObjects.AnalysisDeployment,
        DeploymentObjects.AnalysisService,
        DeploymentObjects.NginxConfigMap,
        DeploymentObjects.NginxDeployment,
        DeploymentObjects.NginxService,
    ];
}
