using System.Globalization;

namespace Flame.Po.Lifecycle.Workloads;

/// <summary>
/// Names of the objects of one deployment <c>D = analysis-&lt;id&gt;-&lt;counter&gt;</c>
/// (docs/compatibility.md#kubernetes-objects). The SDK derives the nginx host as <c>nginx-</c> +
/// <c>DEPLOYMENT_NAME</c>, so these names are a contract.
/// </summary>
public sealed record WorkloadNames
{
    private WorkloadNames(string analysisId, int restartCounter)
    {
        AnalysisId = analysisId;
        RestartCounter = restartCounter;
        Deployment = $"analysis-{analysisId}-{restartCounter.ToString(CultureInfo.InvariantCulture)}";
        Nginx = $"nginx-{Deployment}";
    }

    /// <summary>Highest counter whose derived names all stay valid DNS-1123 labels (nginx-D ≤ 63 characters).</summary>
    public const int MaxRestartCounter = 999_999;

    public string AnalysisId { get; }
    public int RestartCounter { get; }

    /// <summary><c>D</c>: analysis Deployment, Service, container, <c>app</c> label and <c>DEPLOYMENT_NAME</c>.</summary>
    public string Deployment { get; }

    /// <summary><c>N = nginx-D</c>: nginx Deployment, Service, container and <c>app</c> label.</summary>
    public string Nginx { get; }

    public string NginxConfigMap => $"{Nginx}-config";

    /// <summary>The analysis pod's policy; the historical name is kept (it may exceed 63 characters, which a
    /// NetworkPolicy name — a DNS-1123 subdomain — allows).</summary>
    public string AnalysisNetworkPolicy => $"nginx-to-{Deployment}-policy";

    public string NginxNetworkPolicy => $"{Nginx}-policy";

    /// <summary>Per analysis, not per deployment: restarts reuse the credentials given at create.</summary>
    public string PullSecret => PullSecretOf(AnalysisId);

    public string CredentialsSecret => CredentialsSecretOf(AnalysisId);

    public static string PullSecretOf(string analysisId) => $"analysis-{analysisId}-pull";

    public static string CredentialsSecretOf(string analysisId) => $"analysis-{analysisId}-credentials";

    /// <summary>Validates the id and counter and derives the names.</summary>
    public static WorkloadNames For(string analysisId, int restartCounter)
    {
        WorkloadInputRules.LowerCaseUuid(analysisId, "analysis id");
        WorkloadInputRules.Range(restartCounter, "restart counter", 0, MaxRestartCounter);
        return new WorkloadNames(analysisId, restartCounter);
    }
}
