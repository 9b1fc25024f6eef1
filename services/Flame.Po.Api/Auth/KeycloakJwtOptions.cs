using Flame.Po.Api.Settings;
using Flame.Po.Integrations.Keycloak;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Flame.Po.Api.Auth;

/// <summary>
/// Bearer validation against the node realm (docs/compatibility.md#authentication): discovery and JWKS cached by the
/// configuration manager and re-read when a token names an unknown <c>kid</c> (at most every
/// <see cref="KeyRefreshThrottle"/>, so junk tokens cannot hammer Keycloak) and every <see cref="KeyReadInterval"/>; issuer, lifetime and
/// asymmetric signature always checked; audience when configured. A token that passed is answered from memory on its
/// next uses while it and the realm's keys stay the same (<see cref="ValidatedTokenCache"/>).
/// </summary>
public sealed class KeycloakJwtOptions(IOptions<KeycloakSettings> keycloak, IOptions<ApiSettings> api)
    : IConfigureNamedOptions<JwtBearerOptions>, IPostConfigureOptions<JwtBearerOptions>
{
    public static readonly TimeSpan KeyRefreshThrottle = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the realm's discovery document and keys are read again although no token named a new key: a key
    /// deleted in Keycloak (e.g. after a leak) stops being accepted within this time. Five minutes is the library's
    /// shortest automatic interval and the longest a validated token is remembered (<see cref="ValidatedTokenCache.MaxAge"/>);
    /// it costs the realm two small GETs per interval and replica.
    /// </summary>
    public static readonly TimeSpan KeyReadInterval = BaseConfigurationManager.MinimumAutomaticRefreshInterval;

    /// <summary>
    /// Microsoft.IdentityModel 8 re-reads the keys in the background after a token with an unknown <c>kid</c>, so the
    /// first token signed with a rotated realm key was refused. With this switch the re-read completes before the
    /// token is validated again, and that token is accepted (docs/compatibility.md#authentication). The library reads
    /// it once per process, at its first token validation, so every process running the Api sets it at process start (its
    /// runtimeconfig, from <c>HostsApi</c> in Directory.Build.props); a switch set later, when the Api is registered, lost to a token validated earlier.
    /// </summary>
    public const string BlockingKeyRefreshSwitch = "Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking";

    private static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>The realm URL, or null when <c>KEYCLOAK_URL</c> is unset (then every protected route answers 503).</summary>
    public static string? RealmUrl(KeycloakSettings settings) =>
        string.IsNullOrWhiteSpace(settings?.Url) ? null : $"{settings.Url.TrimEnd('/')}/realms/{settings.Realm}";

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(options);
        var realm = RealmUrl(keycloak.Value);
        var settings = api.Value;
        options.EventsType = typeof(ApiJwtEvents);
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, TimeProvider.System));
        options.IncludeErrorDetails = false;
        options.RefreshOnIssuerKeyNotFound = true;
        options.AutomaticRefreshInterval = KeyReadInterval;
        options.RefreshInterval = KeyRefreshThrottle;
        options.BackchannelTimeout = TimeSpan.FromSeconds(10);

        // In-cluster Keycloak speaks plain HTTP behind the node's ingress.
        options.RequireHttpsMetadata = false;
        if (realm is not null)
        {
            options.Authority = realm;
            options.MetadataAddress = realm + "/.well-known/openid-configuration";
        }

        var issuers = settings.IssuerList.Count > 0 ? settings.IssuerList : realm is null ? [] : [realm];
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuers = issuers,
            ValidateAudience = settings.AudienceList.Count > 0,
            ValidAudiences = settings.AudienceList,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = AsymmetricAlgorithms,
            ClockSkew = settings.ClockSkew,
            NameClaimType = "preferred_username",
        };
    }

    public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);

    /// <summary>
    /// After the library has made its configuration manager (JwtBearer's own post-configure, registered before this
    /// one): no "last known good" configuration. With it, Microsoft.IdentityModel still accepted a token whose key the
    /// realm had removed (a leaked key deleted in Keycloak) for up to an hour after the keys were re-read, by validating
    /// it against the previous configuration. Without it, a token is checked against the keys the realm publishes now
    /// (docs/compatibility.md#authentication); a realm that cannot be read keeps the keys read last, as before.
    /// </summary>
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name == JwtBearerDefaults.AuthenticationScheme && options.ConfigurationManager is BaseConfigurationManager manager)
        {
            manager.UseLastKnownGoodConfiguration = false;
        }
    }
}
