using System.Globalization;
using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Api.Settings;

/// <summary>
/// How the Api checks callers (docs/compatibility.md#authentication) and which browsers may call it (CORS,
/// docs/compatibility.md#common). The Keycloak base URL and realm come from <c>KeycloakSettings</c>, shared with
/// the per-analysis client management.
/// </summary>
public sealed class ApiSettings : IValidatedSettings
{
    public const string DefaultManagementClients = "hub-adapter,node-ui,flame-po";

    /// <summary>
    /// Accepted token issuers, comma separated. Keycloak writes its frontend URL into <c>iss</c>, which differs
    /// from the in-cluster URL when the node exposes Keycloak externally. Empty = the internal realm URL.
    /// </summary>
    [ConfigurationKeyName("KEYCLOAK_ISSUERS")]
    public string? Issuers { get; set; }

    /// <summary>Required <c>aud</c> values, comma separated; empty = audience not checked (Keycloak's default tokens carry <c>account</c>).</summary>
    [ConfigurationKeyName("KEYCLOAK_AUDIENCE")]
    public string? Audience { get; set; }

    /// <summary>Seconds of tolerance on <c>exp</c>/<c>nbf</c>; small, since node clocks are NTP-synchronised.</summary>
    [ConfigurationKeyName("TOKEN_CLOCK_SKEW")]
    public double ClockSkewSeconds { get; set; } = 30;

    /// <summary>Client ids (<c>azp</c>/<c>client_id</c>) allowed to create, read, stop and delete analyses.</summary>
    [ConfigurationKeyName("MANAGEMENT_CLIENTS")]
    public string ManagementClients { get; set; } = DefaultManagementClients;

    /// <summary>Browser origins allowed by CORS, comma separated (credentials allowed, so no <c>*</c>).</summary>
    [ConfigurationKeyName("CORS_ORIGINS")]
    public string CorsOrigins { get; set; } = "http://localhost:8080";

    public TimeSpan ClockSkew => TimeSpan.FromSeconds(ClockSkewSeconds);

    public IReadOnlyList<string> IssuerList => Split(Issuers);

    public IReadOnlyList<string> AudienceList => Split(Audience);

    public IReadOnlySet<string> ManagementClientSet => Split(ManagementClients).ToHashSet(StringComparer.Ordinal);

    public IReadOnlyList<string> CorsOriginList => Split(CorsOrigins);

    public IEnumerable<string> Validate()
    {
        if (ClockSkewSeconds is < 0 or > 300 || double.IsNaN(ClockSkewSeconds))
        {
            yield return "TOKEN_CLOCK_SKEW must be between 0 and 300 seconds.";
        }

        if (IssuerList.Any(i => !IsHttpUrl(i)))
        {
            yield return "KEYCLOAK_ISSUERS must be a comma-separated list of absolute http:// or https:// URLs.";
        }

        if (ManagementClientSet.Count == 0)
        {
            yield return "MANAGEMENT_CLIENTS must name at least one client id.";
        }

        // An analysis' client id is its UUID: listing one would let that analysis manage every other one.
        if (ManagementClientSet.Any(c => Guid.TryParse(c, CultureInfo.InvariantCulture, out _)))
        {
            yield return "MANAGEMENT_CLIENTS must not contain analysis ids (UUIDs).";
        }

        if (CorsOriginList.Any(o => !IsHttpUrl(o) || new Uri(o).AbsolutePath != "/"))
        {
            yield return "CORS_ORIGINS must be a comma-separated list of origins such as http://localhost:8080 (no '*', no path).";
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static List<string> Split(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
