using System.IdentityModel.Tokens.Jwt;
using System.Net;
using Flame.Po.Integrations;
using Flame.Po.IntegrationTests.Support;
using Flame.Sandbox;
using Flame.Sandbox.Faults;
using Microsoft.IdentityModel.Tokens;

namespace Flame.Po.IntegrationTests.Integrations;

public sealed class KeycloakAnalysisClientsTests
{
    private const string TokenRoute = "keycloak:POST:/token";
    private const string CreateRoute = "keycloak:POST:/admin/realms/flame/clients";

    [Fact]
    public async Task Issue_token_creates_the_client_once_and_reuses_it()
    {
        await using var harness = await IntegrationsHarness.StartAsync();

        var first = await harness.Keycloak.IssueTokenAsync("a1", IntegrationsHarness.Timeout());
        var second = await harness.Keycloak.IssueTokenAsync("a1", IntegrationsHarness.Timeout());

        harness.Sandbox.Counters.Get(CreateRoute).Should().Be(1);
        var client = harness.Sandbox.Keycloak.FindByClientId("a1");
        client.Should().NotBeNull();
        client!.Name.Should().Be("flame-a1");
        client.ServiceAccountsEnabled.Should().BeTrue();
        first.AccessToken.Should().NotBeNullOrEmpty();
        second.AccessToken.Should().NotBe(first.AccessToken);
    }

    [Fact]
    public async Task Issued_token_is_signed_by_the_realm_and_names_the_analysis()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var token = await harness.Keycloak.IssueTokenAsync("a2", IntegrationsHarness.Timeout());

        using var http = new HttpClient();
        var jwks = new JsonWebKeySet(await http.GetStringAsync(new Uri(harness.Sandbox.KeycloakUrl + "/protocol/openid-connect/certs")));
        var handler = new JwtSecurityTokenHandler { MapInboundClaims = false };
        var principal = handler.ValidateToken(token.AccessToken, new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = harness.Sandbox.KeycloakUrl,
            ValidateAudience = false,
            ClockSkew = TimeSpan.Zero,
        }, out _);
        principal.FindFirst("azp")!.Value.Should().Be("a2");
        token.IssuedAt.Should().BeOnOrAfter(before);
        token.ExpiresAt.Should().BeCloseTo(token.IssuedAt + TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));
        token.ToString().Should().NotContain(token.AccessToken);
    }

    [Fact]
    public async Task Concurrent_issues_for_one_analysis_share_one_client()
    {
        await using var harness = await IntegrationsHarness.StartAsync();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => harness.Keycloak.IssueTokenAsync("race", IntegrationsHarness.Timeout())));

        tokens.Should().OnlyContain(t => t.AccessToken.Length > 0);
        harness.Sandbox.Keycloak.Clients.Count(c => c.ClientId == "race").Should().Be(1);
    }

    [Fact]
    public async Task Delete_answers_true_then_false()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        await harness.Keycloak.IssueTokenAsync("a3", IntegrationsHarness.Timeout());

        (await harness.Keycloak.DeleteClientAsync("a3", IntegrationsHarness.Timeout())).Should().BeTrue();
        (await harness.Keycloak.DeleteClientAsync("a3", IntegrationsHarness.Timeout())).Should().BeFalse();

        harness.Sandbox.Keycloak.FindByClientId("a3").Should().BeNull();
    }

    [Fact]
    public async Task List_returns_only_analysis_clients_over_more_than_one_page()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        var realm = harness.Sandbox.Keycloak;
        realm.FindByClientId("flame-po")!.Name.Should().Be("flame-po", "the admin client's own name starts with flame- and must still be left out");
        var expected = Enumerable.Range(0, 130).Select(i => $"analysis-{i:D3}").ToList();
        foreach (var id in expected)
        {
            realm.AddClient(id, name: "flame-" + id);
        }

        realm.AddClient("node-ui", name: "Node UI");
        realm.AddClient("hub-adapter", name: "hub-adapter");

        var listed = await harness.Keycloak.ListAnalysisClientIdsAsync(IntegrationsHarness.Timeout());

        listed.Should().BeEquivalentTo(expected);
    }

    [Fact]
    public async Task Admin_token_is_fetched_once_for_many_operations()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        harness.Sandbox.Keycloak.AddClient("x1", name: "flame-x1");
        var ct = IntegrationsHarness.Timeout();

        await harness.Keycloak.ListAnalysisClientIdsAsync(ct);
        await harness.Keycloak.DeleteClientAsync("missing", ct);
        await harness.Keycloak.ListAnalysisClientIdsAsync(ct);
        await harness.Keycloak.DeleteClientAsync("x1", ct);
        await harness.Keycloak.ListAnalysisClientIdsAsync(ct);

        harness.Sandbox.Counters.Get(TokenRoute).Should().Be(1);
    }

    [Fact]
    public async Task Admin_token_is_renewed_before_it_expires()
    {
        var time = new ShiftableTime();
        await using var harness = await IntegrationsHarness.StartAsync(clientTime: time);
        var ct = IntegrationsHarness.Timeout();

        await harness.Keycloak.ListAnalysisClientIdsAsync(ct);
        time.Advance(TimeSpan.FromMinutes(3));
        await harness.Keycloak.ListAnalysisClientIdsAsync(ct);
        harness.Sandbox.Counters.Get(TokenRoute).Should().Be(1, "3 of 5 minutes is before the renewal point");

        time.Advance(TimeSpan.FromMinutes(1.5));
        await harness.Keycloak.ListAnalysisClientIdsAsync(ct);
        harness.Sandbox.Counters.Get(TokenRoute).Should().Be(2);
    }

    [Fact]
    public async Task The_configured_realm_is_used_for_every_call()
    {
        var options = new SandboxOptions { TimeScale = 0.001, Realm = "node-7" };
        await using var harness = await IntegrationsHarness.StartAsync(sandboxOptions: options);

        var token = await harness.Keycloak.IssueTokenAsync("a4", IntegrationsHarness.Timeout());

        new JwtSecurityTokenHandler().ReadJwtToken(token.AccessToken).Issuer.Should().EndWith("/realms/node-7");
        harness.Sandbox.Counters.Snapshot().Keys.Where(k => k.StartsWith("keycloak:", StringComparison.Ordinal))
            .Should().NotContain(k => k.Contains("/realms/flame", StringComparison.Ordinal));
        harness.Sandbox.Counters.Get("keycloak:POST:/admin/realms/node-7/clients").Should().Be(1);
    }

    [Fact]
    public async Task Keycloak_answering_503_is_unavailable_after_retries()
    {
        await using var harness = await IntegrationsHarness.StartAsync();
        harness.Sandbox.Faults.Add(new FaultRule { Route = "keycloak:*", StatusCode = 503, RetryAfterSeconds = 1 });

        var act = () => harness.Keycloak.IssueTokenAsync("a5", IntegrationsHarness.Timeout());

        var error = (await act.Should().ThrowAsync<IntegrationUnavailableException>()).Which;
        error.Dependency.Should().Be("keycloak");
        error.Message.Should().Contain("503");
        harness.Sandbox.Counters.Get(TokenRoute).Should().Be(3, "one try and two retries");
    }

    [Fact]
    public async Task Keycloak_that_cannot_be_reached_is_unavailable()
    {
        await using var harness = await IntegrationsHarness.StartAsync(s => s["KEYCLOAK_URL"] = $"http://127.0.0.1:{FreePort.Next()}/keycloak");

        var act = () => harness.Keycloak.ListAnalysisClientIdsAsync(IntegrationsHarness.Timeout());

        (await act.Should().ThrowAsync<IntegrationUnavailableException>()).Which.Dependency.Should().Be("keycloak");
    }

    [Fact]
    public async Task A_wrong_admin_secret_is_rejected_without_retries_and_without_echoing_it()
    {
        await using var harness = await IntegrationsHarness.StartAsync(s => s["RESULT_CLIENT_SECRET"] = "wrong-admin-secret");

        var act = () => harness.Keycloak.IssueTokenAsync("a6", IntegrationsHarness.Timeout());

        var error = (await act.Should().ThrowAsync<IntegrationRejectedException>()).Which;
        error.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        error.Message.Should().Contain("401").And.Contain("Invalid client").And.NotContain("wrong-admin-secret");
        harness.Sandbox.Counters.Get(TokenRoute).Should().Be(1);
        harness.Logs.All.Should().NotContain("wrong-admin-secret");
    }

    [Fact]
    public async Task Without_settings_the_client_resolves_and_explains_what_is_missing()
    {
        await using var harness = await IntegrationsHarness.StartAsync(s =>
        {
            s["KEYCLOAK_URL"] = null;
            s["RESULT_CLIENT_ID"] = null;
            s["RESULT_CLIENT_SECRET"] = null;
        });

        var act = () => harness.Keycloak.IssueTokenAsync("a7", IntegrationsHarness.Timeout());

        (await act.Should().ThrowAsync<IntegrationUnavailableException>())
            .WithMessage("Keycloak is not configured (KEYCLOAK_URL, RESULT_CLIENT_ID, RESULT_CLIENT_SECRET)");
        harness.Sandbox.Counters.Sum("keycloak:*").Should().Be(0);
    }
}
