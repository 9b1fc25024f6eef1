using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Integrations.Hub;

/// <summary>
/// The central FLAME Hub (docs/compatibility.md#hub). The four connection values are set together or not at all;
/// without them Hub reporting is off (useful for a node in a box). Proxies are optional (docs/compatibility.md#b12).
/// </summary>
public sealed class HubSettings : IValidatedSettings
{
    [ConfigurationKeyName("HUB_CLIENT_ID")]
    public string? ClientId { get; set; }

    [ConfigurationKeyName("HUB_CLIENT_SECRET")]
    public string? ClientSecret { get; set; }

    [ConfigurationKeyName("HUB_URL_CORE")]
    public string? CoreUrl { get; set; }

    [ConfigurationKeyName("HUB_URL_AUTH")]
    public string? AuthUrl { get; set; }

    /// <summary>Raw value; truthy values are exactly <c>True</c>, <c>true</c>, <c>1</c>, <c>t</c> (docs/compatibility.md#configuration).</summary>
    [ConfigurationKeyName("HUB_LOGGING")]
    public string? LoggingFlag { get; set; }

    [ConfigurationKeyName("PO_HTTP_PROXY")]
    public string? HttpProxy { get; set; }

    [ConfigurationKeyName("PO_HTTPS_PROXY")]
    public string? HttpsProxy { get; set; }

    [ConfigurationKeyName("EXTRA_CA_CERTS")]
    public string? ExtraCaCertificates { get; set; }

    public bool ForwardLogs => Truthy.IsTrue(LoggingFlag);

    public bool Enabled => !string.IsNullOrWhiteSpace(CoreUrl);

    public IEnumerable<string> Validate()
    {
        var given = new[] { ClientId, ClientSecret, CoreUrl, AuthUrl }.Count(v => !string.IsNullOrWhiteSpace(v));
        if (given is > 0 and < 4)
        {
            var missing = new[] { ("HUB_CLIENT_ID", ClientId), ("HUB_CLIENT_SECRET", ClientSecret), ("HUB_URL_CORE", CoreUrl), ("HUB_URL_AUTH", AuthUrl) }
                .Where(p => string.IsNullOrWhiteSpace(p.Item2)).Select(p => p.Item1);
            yield return $"Hub settings are incomplete: {string.Join(", ", missing)} must be set as well (or leave all four unset to turn Hub reporting off).";
        }

        foreach (var problem in SettingRules.OptionalHttpUrl(CoreUrl, "HUB_URL_CORE")
                     .Concat(SettingRules.OptionalHttpUrl(AuthUrl, "HUB_URL_AUTH"))
                     .Concat(SettingRules.OptionalHttpUrl(HttpProxy, "PO_HTTP_PROXY"))
                     .Concat(SettingRules.OptionalHttpUrl(HttpsProxy, "PO_HTTPS_PROXY")))
        {
            yield return problem;
        }
    }
}
