using System.Security.Claims;
using System.Security.Cryptography;
using Flame.Po.Api.Auth;
using Flame.Po.Api.Settings;
using Flame.Po.Integrations.Keycloak;
using FluentAssertions;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Flame.Po.Tests.Api;

/// <summary>
/// The Api's bearer token handler (docs/compatibility.md#authentication): a token that passed is answered from memory,
/// but only while it has not expired, for at most five minutes, and while the realm's configuration is the one it was
/// checked against; a refused token is checked every time. The inner handler is Microsoft.IdentityModel's own, counted.
/// </summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private const string Issuer = "http://keycloak.test/realms/flame";
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly Realm _realm;
    private readonly CountingHandler _inner = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public ValidatedTokenCacheTests()
    {
        _key = new RsaSecurityKey(_rsa) { KeyId = "k1" };
        _realm = new Realm(Configuration(_key));
    }

    public void Dispose() => _rsa.Dispose();

    [Fact]
    public async Task A_token_that_passed_is_checked_once_and_answered_from_memory_after()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        var token = Mint(TimeSpan.FromMinutes(30));

        var first = await cache.ValidateTokenAsync(token, Parameters());
        var second = await cache.ValidateTokenAsync(token, Parameters());
        var third = await cache.ValidateTokenAsync(token, Parameters());

        first.IsValid.Should().BeTrue();
        second.IsValid.Should().BeTrue();
        third.IsValid.Should().BeTrue();
        _inner.Calls.Should().Be(1, "the signature is checked once");
        Claims(second).Should().BeEquivalentTo(Claims(first));
        second.ClaimsIdentity.Should().BeOfType<CaseSensitiveClaimsIdentity>("claim look-ups stay case-sensitive, as the library makes them");
        second.ClaimsIdentity.Should().NotBeSameAs(third.ClaimsIdentity, "each request gets an identity of its own");
        second.SecurityToken.Should().BeSameAs(first.SecurityToken);
    }

    [Fact]
    public async Task A_claim_added_to_one_answer_is_not_in_the_next()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        var token = Mint(TimeSpan.FromMinutes(30));
        (await cache.ValidateTokenAsync(token, Parameters())).IsValid.Should().BeTrue();

        var answer = await cache.ValidateTokenAsync(token, Parameters());
        answer.ClaimsIdentity.AddClaim(new Claim("role", "admin"));

        (await cache.ValidateTokenAsync(token, Parameters())).ClaimsIdentity.FindFirst("role").Should().BeNull();
    }

    [Fact]
    public async Task A_remembered_token_goes_back_to_the_inner_handler_once_its_expiry_and_the_skew_have_passed()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        var token = Mint(TimeSpan.FromMinutes(2));
        (await cache.ValidateTokenAsync(token, Parameters(skew: TimeSpan.FromSeconds(30)))).IsValid.Should().BeTrue();

        _time.Advance(TimeSpan.FromSeconds(149));
        (await cache.ValidateTokenAsync(token, Parameters(skew: TimeSpan.FromSeconds(30)))).IsValid.Should().BeTrue();
        _inner.Calls.Should().Be(1, "expiry plus skew has not passed yet");

        _time.Advance(TimeSpan.FromSeconds(2));
        await cache.ValidateTokenAsync(token, Parameters(skew: TimeSpan.FromSeconds(30)));
        _inner.Calls.Should().Be(2, "past its expiry plus the skew the library decides again");
    }

    [Fact]
    public async Task A_remembered_token_is_checked_again_after_five_minutes_however_long_it_lives()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        var token = Mint(TimeSpan.FromHours(2));
        await cache.ValidateTokenAsync(token, Parameters());

        _time.Advance(ValidatedTokenCache.MaxAge - TimeSpan.FromSeconds(1));
        await cache.ValidateTokenAsync(token, Parameters());
        _inner.Calls.Should().Be(1);

        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.ValidateTokenAsync(token, Parameters());
        _inner.Calls.Should().Be(2);
    }

    [Fact]
    public async Task A_new_realm_configuration_forgets_every_token_checked_before()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        var token = Mint(TimeSpan.FromMinutes(30));
        await cache.ValidateTokenAsync(token, Parameters());

        using var rotated = RSA.Create(2048);
        _realm.Current = Configuration(new RsaSecurityKey(rotated) { KeyId = "k2" });
        var after = await cache.ValidateTokenAsync(token, Parameters());

        _inner.Calls.Should().Be(2, "the keys were re-read, so the library decides again");
        var library = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, Parameters());
        after.IsValid.Should().Be(library.IsValid, "the answer is the library's own");
    }

    [Fact]
    public async Task A_refused_token_is_checked_every_time()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        using var other = RSA.Create(2048);
        var forged = Mint(TimeSpan.FromMinutes(30), new RsaSecurityKey(other) { KeyId = "k1" });

        for (var i = 0; i < 3; i++)
        {
            (await cache.ValidateTokenAsync(forged, Parameters())).IsValid.Should().BeFalse();
        }

        _inner.Calls.Should().Be(3);
        cache.Count.Should().Be(0);
    }

    [Fact]
    public async Task A_token_one_character_away_from_a_remembered_one_is_checked_on_its_own()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        var token = Mint(TimeSpan.FromMinutes(30));
        (await cache.ValidateTokenAsync(token, Parameters())).IsValid.Should().BeTrue();

        var tampered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        (await cache.ValidateTokenAsync(tampered, Parameters())).IsValid.Should().BeFalse();
        _inner.Calls.Should().Be(2);
    }

    [Fact]
    public async Task A_token_refused_for_its_issuer_is_not_accepted_because_a_good_one_was_remembered()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        (await cache.ValidateTokenAsync(Mint(TimeSpan.FromMinutes(30)), Parameters())).IsValid.Should().BeTrue();

        var wrongIssuer = Mint(TimeSpan.FromMinutes(30), issuer: "http://elsewhere.test/realms/flame");
        (await cache.ValidateTokenAsync(wrongIssuer, Parameters())).IsValid.Should().BeFalse();
    }

    [Fact]
    public async Task Without_a_realm_configuration_nothing_is_remembered()
    {
        var cache = new ValidatedTokenCache(_inner, _time);
        var token = Mint(TimeSpan.FromMinutes(30));
        var parameters = Parameters();
        parameters.ConfigurationManager = null;
        parameters.IssuerSigningKey = _key;

        (await cache.ValidateTokenAsync(token, parameters)).IsValid.Should().BeTrue();
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.Should().BeTrue();

        _inner.Calls.Should().Be(2);
        cache.Count.Should().Be(0);
    }

    [Fact]
    public async Task At_capacity_expired_tokens_go_first_and_then_all_and_every_token_still_passes()
    {
        var cache = new ValidatedTokenCache(_inner, _time, capacity: 3);
        var shortLived = Mint(TimeSpan.FromMinutes(1));
        var tokens = Enumerable.Range(0, 2).Select(_ => Mint(TimeSpan.FromMinutes(30))).ToList();
        await cache.ValidateTokenAsync(shortLived, Parameters(skew: TimeSpan.Zero));
        foreach (var token in tokens)
        {
            await cache.ValidateTokenAsync(token, Parameters(skew: TimeSpan.Zero));
        }

        cache.Count.Should().Be(3);
        _time.Advance(TimeSpan.FromMinutes(2));
        await cache.ValidateTokenAsync(Mint(TimeSpan.FromMinutes(30)), Parameters(skew: TimeSpan.Zero));
        cache.Count.Should().Be(3, "the expired token made room");

        await cache.ValidateTokenAsync(Mint(TimeSpan.FromMinutes(30)), Parameters(skew: TimeSpan.Zero));
        cache.Count.Should().Be(1, "with none expired the cache starts over");
        foreach (var token in tokens)
        {
            (await cache.ValidateTokenAsync(token, Parameters(skew: TimeSpan.Zero))).IsValid.Should().BeTrue();
        }

        cache.Count.Should().BeLessThanOrEqualTo(3);
    }

    [Fact]
    public void The_api_validates_bearer_tokens_through_the_cache_around_the_library_handler_without_claim_mapping()
    {
        var options = new JwtBearerOptions();
        new KeycloakJwtOptions(Options.Create(new KeycloakSettings { Url = "http://keycloak.test" }), Options.Create(new ApiSettings()))
            .Configure(JwtBearerDefaults.AuthenticationScheme, options);

        options.TokenHandlers.Should().ContainSingle().Which.Should().BeOfType<ValidatedTokenCache>();
        options.UseSecurityTokenValidators.Should().BeFalse();
    }

    private static IEnumerable<(string Type, string Value)> Claims(TokenValidationResult result) =>
        result.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value));

    private static OpenIdConnectConfiguration Configuration(SecurityKey key)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(key);
        return configuration;
    }

    private TokenValidationParameters Parameters(TimeSpan? skew = null) => new()
    {
        ValidIssuer = Issuer,
        ValidateAudience = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = skew ?? TimeSpan.FromSeconds(30),
        ConfigurationManager = _realm,
    };

    private string Mint(TimeSpan lifetime, SecurityKey? key = null, string issuer = Issuer)
    {
        // Microsoft.IdentityModel checks nbf and exp by the system clock, the cache by the test's: issued a minute
        // ago by either, expiring by the test's.
        var issued = DateTime.UtcNow.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = _time.GetUtcNow().UtcDateTime + lifetime,
            Claims = new Dictionary<string, object> { ["azp"] = "analysis-" + Guid.NewGuid().ToString("N"), ["preferred_username"] = "service-account" },
            SigningCredentials = new SigningCredentials(key ?? _key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>The realm's configuration as the library's configuration manager hands it out: the same object until it is re-read.</summary>
    private sealed class Realm(OpenIdConnectConfiguration current) : BaseConfigurationManager
    {
        public OpenIdConnectConfiguration Current { get; set; } = current;

        public override Task<BaseConfiguration> GetBaseConfigurationAsync(CancellationToken cancel) => Task.FromResult<BaseConfiguration>(Current);

        public override void RequestRefresh()
        {
        }
    }

    /// <summary>Microsoft.IdentityModel's handler, counting the tokens it is asked to validate.</summary>
    private sealed class CountingHandler : TokenHandler
    {
        private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

        public int Calls { get; private set; }

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Calls++;
            return _handler.ValidateTokenAsync(token, validationParameters);
        }
    }
}
