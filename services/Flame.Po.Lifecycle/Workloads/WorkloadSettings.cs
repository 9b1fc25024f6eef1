using System.Text.RegularExpressions;

using Flame.Po.Core.Settings;

using Microsoft.Extensions.Configuration;

namespace Flame.Po.Lifecycle.Workloads;

/// <summary>Settings of the Kubernetes objects the PO creates per analysis (docs/architecture.md#kubernetes-objects).</summary>
public sealed partial class WorkloadSettings : IValidatedSettings
{
    public const string DefaultNginxImage = "nginx:1.29.8";

    [ConfigurationKeyName("NGINX_IMAGE")]
    public string NginxImage { get; set; } = DefaultNginxImage;

    /// <summary><c>ANALYSIS_CPU_REQUEST</c> (default <c>500m</c>): CPU the scheduler reserves for an analysis.</summary>
    [ConfigurationKeyName("ANALYSIS_CPU_REQUEST")]
    public string AnalysisCpuRequest { get; set; } = "500m";

    /// <summary><c>ANALYSIS_CPU_LIMIT</c> (default <c>2</c>): CPU an analysis may use at most.</summary>
    [ConfigurationKeyName("ANALYSIS_CPU_LIMIT")]
    public string AnalysisCpuLimit { get; set; } = "2";

    /// <summary><c>ANALYSIS_MEMORY_REQUEST</c> (default <c>1Gi</c>).</summary>
    [ConfigurationKeyName("ANALYSIS_MEMORY_REQUEST")]
    public string AnalysisMemoryRequest { get; set; } = "1Gi";

    /// <summary><c>ANALYSIS_MEMORY_LIMIT</c> (default <c>4Gi</c>): beyond it the analysis is OOMKilled.</summary>
    [ConfigurationKeyName("ANALYSIS_MEMORY_LIMIT")]
    public string AnalysisMemoryLimit { get; set; } = "4Gi";

    /// <summary><c>ANALYSIS_EPHEMERAL_STORAGE_LIMIT</c> (default <c>10Gi</c>): local disk (logs, writable layer).</summary>
    [ConfigurationKeyName("ANALYSIS_EPHEMERAL_STORAGE_LIMIT")]
    public string AnalysisEphemeralStorageLimit { get; set; } = "10Gi";

    /// <summary><c>NGINX_CPU_REQUEST</c> (default <c>50m</c>).</summary>
    [ConfigurationKeyName("NGINX_CPU_REQUEST")]
    public string NginxCpuRequest { get; set; } = "50m";

    /// <summary><c>NGINX_CPU_LIMIT</c> (default <c>500m</c>).</summary>
    [ConfigurationKeyName("NGINX_CPU_LIMIT")]
    public string NginxCpuLimit { get; set; } = "500m";

    /// <summary><c>NGINX_MEMORY_REQUEST</c> (default <c>64Mi</c>).</summary>
    [ConfigurationKeyName("NGINX_MEMORY_REQUEST")]
    public string NginxMemoryRequest { get; set; } = "64Mi";

    /// <summary><c>NGINX_MEMORY_LIMIT</c> (default <c>128Mi</c>).</summary>
    [ConfigurationKeyName("NGINX_MEMORY_LIMIT")]
    public string NginxMemoryLimit { get; set; } = "128Mi";

    /// <summary>
    /// <c>WORKLOAD_RUN_AS_USER</c> (default <c>65532</c>): numeric non-root UID (and GID, fsGroup) of the analysis
    /// and nginx pods. Numeric because the kubelet cannot verify that a named user is non-root (it refuses to start
    /// the container: "image has non-numeric user … cannot verify user is non-root").
    /// </summary>
    [ConfigurationKeyName("WORKLOAD_RUN_AS_USER")]
    public long RunAsUser { get; set; } = 65532;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(NginxImage) || NginxImage.Any(char.IsWhiteSpace))
        {
            yield return "NGINX_IMAGE must be an image reference without spaces.";
        }

        foreach (var (value, variable) in new[]
        {
            (AnalysisCpuRequest, "ANALYSIS_CPU_REQUEST"), (AnalysisCpuLimit, "ANALYSIS_CPU_LIMIT"),
            (AnalysisMemoryRequest, "ANALYSIS_MEMORY_REQUEST"), (AnalysisMemoryLimit, "ANALYSIS_MEMORY_LIMIT"),
            (AnalysisEphemeralStorageLimit, "ANALYSIS_EPHEMERAL_STORAGE_LIMIT"),
            (NginxCpuRequest, "NGINX_CPU_REQUEST"), (NginxCpuLimit, "NGINX_CPU_LIMIT"),
            (NginxMemoryRequest, "NGINX_MEMORY_REQUEST"), (NginxMemoryLimit, "NGINX_MEMORY_LIMIT"),
        })
        {
            if (value is null || !Quantity().IsMatch(value))
            {
                yield return $"{variable} must be a Kubernetes quantity such as 500m, 2, 64Mi or 1Gi.";
            }
        }

        if (RunAsUser is < 1 or > int.MaxValue)
        {
            yield return "WORKLOAD_RUN_AS_USER must be a non-root numeric user id (1 or more).";
        }
    }

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Quantity();
}
