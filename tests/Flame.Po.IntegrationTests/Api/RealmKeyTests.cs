using System.Net;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// The API and the realm's signing keys (docs/compatibility.md#authentication): a token naming a key the API has not
/// seen makes it re-read the realm's keys before it decides, so a Keycloak key rotation costs no refused request. The
/// re-read is throttled per process (KeycloakJwtOptions.KeyRefreshThrottle), so each test has a host of its own.
/// </summary>
public sealed class RealmKeyTests : IAsyncLifetime
{
    private ApiFixture _f = null!;

    public async Task InitializeAsync() => _f = await ApiFixture.StartAloneAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task An_unknown_kid_makes_the_api_reread_the_realm_keys_before_refusing()
    {
        var tokens = _f.H.Sandbox.Tokens;
        var before = CertsRequests();

        using var response = await _f.SendAsync(HttpMethod.Get, "/po/status", tokens.WrongKey(tokens.ManagementClientId));

        await ApiFixture.ShouldBeProblemAsync(response, 401);
        CertsRequests().Should().BeGreaterThan(before, "a token with an unknown kid triggers a JWKS refresh");
    }

    [Fact]
    public async Task A_token_signed_with_a_rotated_realm_key_is_accepted_on_its_first_use()
    {
        using (var warm = await _f.SendAsync(HttpMethod.Get, "/po/status", _f.H.Sandbox.Tokens.Management()))
        {
            warm.StatusCode.Should().Be(HttpStatusCode.OK, "the API knows the realm's current key");
        }

        _f.H.Sandbox.Keycloak.RotateSigningKey();

        using var response = await _f.SendAsync(HttpMethod.Get, "/po/status", _f.H.Sandbox.Tokens.Management());

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the API re-reads the realm's keys before refusing a token with a new kid");
    }

    [Fact]
    public async Task A_token_signed_with_a_key_the_realm_removed_is_refused_once_the_api_has_reread_the_keys()
    {
        var keycloak = _f.H.Sandbox.Keycloak;
        var tokens = _f.H.Sandbox.Tokens;
        var old = keycloak.Signer;
        var oldToken = tokens.SignedBy(old);
        using (var warm = await _f.SendAsync(HttpMethod.Get, "/po/status", oldToken))
        {
            warm.StatusCode.Should().Be(HttpStatusCode.OK, "the key is the realm's active one");
        }

        keycloak.RotateSigningKey();
        keycloak.RemoveSigningKey(old);
        using (var fresh = await _f.SendAsync(HttpMethod.Get, "/po/status", tokens.Management()))
        {
            fresh.StatusCode.Should().Be(HttpStatusCode.OK, "the new key's kid makes the API re-read the realm's keys");
        }

        using var response = await _f.SendAsync(HttpMethod.Get, "/po/status", oldToken);

        await ApiFixture.ShouldBeProblemAsync(response, 401);
    }

    private long CertsRequests() =>
        _f.H.Sandbox.Counters.Snapshot().Where(p => p.Key.Contains("certs", StringComparison.Ordinal)).Sum(p => p.Value);
}
