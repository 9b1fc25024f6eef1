using System.IdentityModel.Tokens.Jwt;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

using Microsoft.IdentityModel.Tokens;

namespace Flame.Sandbox.Tests.Keycloak;

public sealed class KeycloakTests
{
    private static async Task<JsonNode> GetJsonAsync(HttpClient http, string url) => JsonNode.Parse(await http.GetStringAsync(url))!;

    private static async Task<TokenValidationResult> ValidateAsync(SandboxHarness h, string token)
    {
        var jwks = new JsonWebKeySet(await h.Anonymous.GetStringAsync($"{h.Server.KeycloakUrl}/protocol/openid-connect/certs"));
        return await new JwtSecurityTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = h.Server.KeycloakUrl,
            ValidateAudience = false,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ClockSkew = TimeSpan.Zero,
        });
    }

    [Fact]
    public async Task Discovery_and_jwks_let_a_standard_validator_accept_realm_tokens()
    {
        await using var h = await SandboxHarness.StartAsync();
        var discovery = await GetJsonAsync(h.Anonymous, $"{h.Server.KeycloakUrl}/.well-known/openid-configuration");
        discovery.S("issuer").Should().Be(h.Server.KeycloakUrl);
        discovery.S("jwks_uri").Should().Be($"{h.Server.KeycloakUrl}/protocol/openid-connect/certs");

        var result = await ValidateAsync(h, h.Server.Tokens.Analysis("0b7f1e2a-1111-4222-8333-944455556666"));
        result.IsValid.Should().BeTrue(result.Exception?.Message);
        result.Claims["azp"].Should().Be("0b7f1e2a-1111-4222-8333-944455556666");
        result.Claims["client_id"].Should().Be("0b7f1e2a-1111-4222-8333-944455556666");
    }

    [Fact]
    public async Task A_rotated_realm_signs_with_the_new_key_and_keeps_publishing_the_old_one()
    {
        await using var h = await SandboxHarness.StartAsync();
        var before = h.Server.Tokens.Analysis("0b7f1e2a-1111-4222-8333-944455556666");
        var oldKid = h.Server.Keycloak.Signer.Kid;

        var next = h.Server.Keycloak.RotateSigningKey();
        var after = h.Server.Tokens.Analysis("0b7f1e2a-1111-4222-8333-944455556666");

        next.Kid.Should().NotBe(oldKid);
        var jwks = await GetJsonAsync(h.Anonymous, $"{h.Server.KeycloakUrl}/protocol/openid-connect/certs");
        jwks["keys"]!.AsArray().Select(k => k.S("kid")).Should().Equal(next.Kid, oldKid);
        new JwtSecurityTokenHandler().ReadJwtToken(after).Header.Kid.Should().Be(next.Kid, "new tokens are signed with the active key");
        (await ValidateAsync(h, after)).IsValid.Should().BeTrue();
        (await ValidateAsync(h, before)).IsValid.Should().BeTrue("tokens signed before the rotation stay valid until they expire");
    }

    [Fact]
    public async Task A_removed_key_leaves_the_jwks_and_its_tokens_no_longer_verify_but_the_active_key_cannot_be_removed()
    {
        await using var h = await SandboxHarness.StartAsync();
        var old = h.Server.Keycloak.Signer;
        var before = h.Server.Tokens.SignedBy(old);
        h.Invoking(x => x.Server.Keycloak.RemoveSigningKey(old)).Should().Throw<InvalidOperationException>("the realm always has an active key");

        var next = h.Server.Keycloak.RotateSigningKey();
        h.Server.Keycloak.RemoveSigningKey(old);

        var jwks = await GetJsonAsync(h.Anonymous, $"{h.Server.KeycloakUrl}/protocol/openid-connect/certs");
        jwks["keys"]!.AsArray().Select(k => k.S("kid")).Should().Equal(next.Kid);
        (await ValidateAsync(h, before)).Exception.Should().BeAssignableTo<SecurityTokenSignatureKeyNotFoundException>();
        h.Server.Keycloak.Verify(before).Should().BeNull();
        (await ValidateAsync(h, h.Server.Tokens.Management())).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Bad_tokens_fail_validation()
    {
        await using var h = await SandboxHarness.StartAsync();
        var tokens = h.Server.Tokens;
        (await ValidateAsync(h, tokens.Expired("c"))).Exception.Should().BeOfType<SecurityTokenExpiredException>();
        (await ValidateAsync(h, tokens.WrongIssuer("c"))).Exception.Should().BeOfType<SecurityTokenInvalidIssuerException>();
        (await ValidateAsync(h, tokens.WrongKey("c"))).Exception.Should().BeAssignableTo<SecurityTokenSignatureKeyNotFoundException>();
        (await ValidateAsync(h, tokens.NotYetValid("c"))).Exception.Should().BeOfType<SecurityTokenNotYetValidException>();
        (await ValidateAsync(h, tokens.Management())).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Client_credentials_and_the_admin_clients_api_follow_po_spec_8()
    {
        await using var h = await SandboxHarness.StartAsync(new SandboxOptions { TimeScale = 0.001, TokenLifetime = TimeSpan.FromSeconds(120) });
        var tokenUrl = $"{h.Server.KeycloakUrl}/protocol/openid-connect/token";
        using var bad = await h.Anonymous.PostAsync(tokenUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "flame-po", ["client_secret"] = "wrong" }));
        ((int)bad.StatusCode).Should().Be(401);
        using var ok = await h.Anonymous.PostAsync(tokenUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "flame-po", ["client_secret"] = "flame-po-secret" }));
        var adminToken = JsonNode.Parse(await ok.Content.ReadAsStringAsync());
        adminToken.S("expires_in").Should().Be("120");
        var admin = $"{h.Server.KeycloakBaseUrl}/admin/realms/flame/clients";

        using var client = new HttpClient();
        (await client.GetAsync(admin)).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", h.Server.Tokens.Analysis("someone"));
        (await client.GetAsync(admin)).StatusCode.Should().Be(System.Net.HttpStatusCode.Forbidden);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken.S("access_token"));

        (await GetJsonAsync(client, $"{admin}?clientId=a1")).AsArray().Should().BeEmpty();
        using var created = await client.PostAsync(admin, JsonContent(new JsonObject { ["clientId"] = "a1", ["name"] = "flame-a1", ["serviceAccountsEnabled"] = "true" }));
        ((int)created.StatusCode).Should().Be(201);
        created.Headers.Location.Should().NotBeNull();
        ((int)(await client.PostAsync(admin, JsonContent(new JsonObject { ["clientId"] = "a1" }))).StatusCode).Should().Be(409);
        var found = (await GetJsonAsync(client, $"{admin}?clientId=a1"))[0]!;
        found.S("name").Should().Be("flame-a1");
        var secret = found.S("secret")!;
        (await GetJsonAsync(client, $"{admin}/{found.S("id")}/client-secret")).S("value").Should().Be(secret);

        using var analysisToken = await h.Anonymous.PostAsync(tokenUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "a1", ["client_secret"] = secret }));
        var analysisJwt = JsonNode.Parse(await analysisToken.Content.ReadAsStringAsync()).S("access_token")!;
        new JwtSecurityTokenHandler().ReadJwtToken(analysisJwt).Claims.First(c => c.Type == "azp").Value.Should().Be("a1");

        ((int)(await client.DeleteAsync($"{admin}/{found.S("id")}")).StatusCode).Should().Be(204);
        ((int)(await client.DeleteAsync($"{admin}/{found.S("id")}")).StatusCode).Should().Be(404);
    }

    [Fact]
    public async Task Sim_tokens_endpoint_mints_tokens_over_http()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var response = await h.Anonymous.PostAsync($"{h.Server.KeycloakUrl}/_sim/tokens", JsonContent(new JsonObject { ["client_id"] = "a9", ["expires_in"] = 300 }));
        var token = JsonNode.Parse(await response.Content.ReadAsStringAsync()).S("access_token")!;
        var result = await ValidateAsync(h, token);
        result.IsValid.Should().BeTrue();
        result.Claims["azp"].Should().Be("a9");
    }

    private static StringContent JsonContent(JsonNode node) => new(node.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
