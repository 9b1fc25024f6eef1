using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Integrations.Keycloak;

/// <summary>The node's Keycloak: token validation and per-analysis clients (docs/compatibility.md#keycloak-clients). One realm setting (docs/compatibility.md#b22).</summary>
public sealed class KeycloakSettings : IValidatedSettings
{
    /// <summary>Base URL, e.g. <c>http://keycloak-service:8080/keycloak</c>.</summary>
    [ConfigurationKeyName("KEYCLOAK_URL")]
    public string? Url { get; set; }

    [ConfigurationKeyName("KEYCLOAK_REALM")]
    public string Realm { get; set; } = "flame";

    /// <summary>Service-account client with manage-clients rights, used to manage per-analysis clients.</summary>
    [ConfigurationKeyName("RESULT_CLIENT_ID")]
    public string? AdminClientId { get; set; }

    [ConfigurationKeyName("RESULT_CLIENT_SECRET")]
    public string? AdminClientSecret { get; set; }

    /// <summary>URL and admin credentials are set: per-analysis clients can be managed.</summary>
    public bool ManagesClients =>
        !string.IsNullOrWhiteSpace(Url) && !string.IsNullOrWhiteSpace(AdminClientId) && !string.IsNullOrWhiteSpace(AdminClientSecret);

    public IEnumerable<string> Validate()
    {
        foreach (var problem in SettingRules.OptionalHttpUrl(Url, "KEYCLOAK_URL"))
        {
            yield return problem;
        }

        if (string.IsNullOrWhiteSpace(Realm) || Realm.Contains('/', StringComparison.Ordinal))
        {
            yield return "KEYCLOAK_REALM must be a realm name (no slashes).";
        }

        if (string.IsNullOrWhiteSpace(AdminClientId) != string.IsNullOrWhiteSpace(AdminClientSecret))
        {
            yield return "RESULT_CLIENT_ID and RESULT_CLIENT_SECRET must be set together.";
        }
    }
}
