using Flame.Po.Api.Auth;
using Flame.Po.Api.Settings;
using Flame.Po.Integrations.Keycloak;
using FluentAssertions;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Xunit;

namespace Flame.Po.Tests.Api;

/// <summary>
/// How the Api keeps the realm's keys (docs/compatibility.md#authentication), on the configuration manager that the
/// library builds from the options: read again every five minutes, at most every 30 s for a token naming an unknown
/// key, and never a fallback to keys the realm no longer publishes.
/// </summary>
public sealed class KeycloakJwtOptionsTests
{
    [Fact]
    public void The_realm_keys_are_read_again_every_five_minutes_and_a_new_key_at_most_every_30_seconds_without_a_last_known_good_fallback()
    {
        var options = new JwtBearerOptions();
        var ours = new KeycloakJwtOptions(Options.Create(new KeycloakSettings { Url = "http://keycloak.test" }), Options.Create(new ApiSettings()));

        // The order of the host: ours configures, the library's post-configure builds the manager, ours post-configures.
        ours.Configure(JwtBearerDefaults.AuthenticationScheme, options);
        new JwtBearerPostConfigureOptions().PostConfigure(JwtBearerDefaults.AuthenticationScheme, options);
        ours.PostConfigure(JwtBearerDefaults.AuthenticationScheme, options);

        var manager = options.ConfigurationManager.Should().BeOfType<ConfigurationManager<OpenIdConnectConfiguration>>().Subject;
        manager.MetadataAddress.Should().Be("http://keycloak.test/realms/flame/.well-known/openid-configuration");
        manager.AutomaticRefreshInterval.Should().Be(TimeSpan.FromMinutes(5));
        manager.RefreshInterval.Should().Be(TimeSpan.FromSeconds(30));
        manager.UseLastKnownGoodConfiguration.Should().BeFalse();
        KeycloakJwtOptions.KeyReadInterval.Should().BeLessThanOrEqualTo(ValidatedTokenCache.MaxAge);
    }
}
