using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// The app token check of <see cref="AppChannelPolicy"/> (scheme <see cref="SchemeName"/>): a request carrying exactly one
/// <c>dapr-api-token</c> equal to the channel's token is the sidecar (or the local channel). It does what the Dapr
/// SDK's <c>AddDapr</c> authentication does, but compares in fixed time — the SDK's handler compares with
/// <c>string.Equals</c>, which answers sooner the earlier a guess goes wrong; both sides are hashed first so that not
/// even the token's length shows in the time.
/// </summary>
public sealed class AppTokenAuthenticationHandler(
    IOptionsMonitor<AppTokenAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder) : AuthenticationHandler<AppTokenAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "Dapr";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(AppChannel.TokenHeader, out var given))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (Options.Token is not { Length: > 0 } expected)
        {
            return Task.FromResult(AuthenticateResult.Fail("No app token is configured."));
        }

        if (given.Count != 1 || !SameToken(given[0] ?? string.Empty, expected))
        {
            return Task.FromResult(AuthenticateResult.Fail("Not authenticated."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "Dapr")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private static bool SameToken(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

/// <summary>The token <see cref="AppTokenAuthenticationHandler"/> accepts.</summary>
public sealed class AppTokenAuthenticationOptions : AuthenticationSchemeOptions
{
    public string? Token { get; set; }
}
