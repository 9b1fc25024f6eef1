using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>How the PO reaches its Kubernetes cluster and the analyses in it.</summary>
public sealed class ClusterSettings : IValidatedSettings
{
    /// <summary>Path of a kubeconfig; empty = the in-cluster service account.</summary>
    [ConfigurationKeyName("KUBECONFIG")]
    public string? KubeConfig { get; set; }

    /// <summary>Context of the kubeconfig to use; empty = its current context.</summary>
    [ConfigurationKeyName("KUBE_CONTEXT")]
    public string? Context { get; set; }

    /// <summary>Namespace of the analyses; empty = the service account's (in cluster) or the context's namespace.</summary>
    [ConfigurationKeyName("PO_NAMESPACE")]
    public string? Namespace { get; set; }

    /// <summary>
    /// How the PO calls <c>nginx-&lt;D&gt;/analysis/…</c>: <c>direct</c> (cluster DNS, the PO runs in the cluster),
    /// <c>proxy</c> (the API server's service proxy, the PO runs outside), or <c>auto</c> (direct in cluster).
    /// </summary>
    [ConfigurationKeyName("ANALYSIS_ACCESS")]
    public string AnalysisAccess { get; set; } = "auto";

    public IEnumerable<string> Validate()
    {
        if (AnalysisAccess is not ("auto" or "direct" or "proxy"))
        {
            yield return "ANALYSIS_ACCESS must be auto, direct or proxy.";
        }

        if (!string.IsNullOrWhiteSpace(KubeConfig) && !File.Exists(KubeConfig))
        {
            yield return $"KUBECONFIG names a file that does not exist: {KubeConfig}.";
        }
    }
}
