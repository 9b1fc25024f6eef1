using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Lifecycle.Workloads;

/// <summary>Settings of the Kubernetes objects the PO creates per analysis (po-spec §2.1, §7).</summary>
public sealed class WorkloadSettings : IValidatedSettings
{
    public const string DefaultNginxImage = "nginx:1.29.8";

    [ConfigurationKeyName("NGINX_IMAGE")]
    public string NginxImage { get; set; } = DefaultNginxImage;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(NginxImage) || NginxImage.Any(char.IsWhiteSpace))
        {
            yield return "NGINX_IMAGE must be an image reference without spaces.";
        }
    }
}
