namespace Flame.Po.Lifecycle.Workloads;

/// <summary>
/// The old service's label keys and values plus our ownership labels (docs/compatibility.md#rule-labels). Cleanup
/// and the reconciler select by these labels and never parse names (docs/compatibility.md#b3).
/// </summary>
public static class WorkloadLabels
{
    public const string App = "app";
    public const string Component = "component";

    /// <summary>Ownership: every object created for an analysis carries its id.</summary>
    public const string AnalysisId = "flame.privateaim.de/analysis-id";

    /// <summary>The deployment name <c>D</c> the object belongs to (one value per restart).</summary>
    public const string DeploymentName = "flame.privateaim.de/deployment-name";

    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "flame-pod-orchestrator";

    public const string AnalysisComponent = "flame-analysis";
    public const string NginxComponent = "flame-analysis-nginx";
    public const string NginxConfigMapComponent = "flame-nginx-analysis-config-map";
    public const string AnalysisPolicyComponent = "flame-nginx-to-analysis-policy";
    public const string NginxPolicyComponent = "flame-analysis-nginx-policy";
    public const string PullSecretComponent = "flame-analysis-pull-secret";
    public const string CredentialsComponent = "flame-analysis-credentials";

    /// <summary>Selector of every object the PO owns, for cleanup and per-tick listing.</summary>
    public static string ManagedSelector => $"{ManagedBy}={ManagedByValue}";

    /// <summary>Selector of every object of one analysis (all its deployments).</summary>
    public static string AnalysisSelector(string analysisId) =>
        $"{AnalysisId}={WorkloadInputRules.LowerCaseUuid(analysisId, "analysis id")}";

    /// <summary>The spec labels (first) plus the ownership labels.</summary>
    public static IReadOnlyDictionary<string, string> For(WorkloadNames names, params (string Key, string Value)[] specLabels)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in specLabels)
        {
            labels[key] = value;
        }

        labels[AnalysisId] = names.AnalysisId;
        labels[DeploymentName] = names.Deployment;
        labels[ManagedBy] = ManagedByValue;
        return labels;
    }
}
