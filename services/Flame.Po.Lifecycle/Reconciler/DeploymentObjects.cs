namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>The kinds of object one deployment <c>D</c> (and its analysis) consists of.</summary>
[Flags]
public enum DeploymentObjects
{
    None = 0,
    AnalysisPolicy = 1 << 0,
    NginxPolicy = 1 << 1,
    AnalysisDeployment = 1 << 2,
    AnalysisService = 1 << 3,
    NginxConfigMap = 1 << 4,
    NginxDeployment = 1 << 5,
    NginxService = 1 << 6,

    /// <summary>Objects that need no pod IP and are created first (policies before workloads, docs/compatibility.md#b21).</summary>
    BeforeNginx = AnalysisPolicy | NginxPolicy | AnalysisDeployment | AnalysisService,

    /// <summary>nginx objects: their config lists the analysis pod's IP, so they wait for it.</summary>
    Nginx = NginxConfigMap | NginxDeployment | NginxService,

    All = BeforeNginx | Nginx,
}
