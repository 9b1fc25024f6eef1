using System.Net;
using Flame.Po.Dapr.Invocation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Tests.Dapr;

/// <summary>
/// The app channel's token check in Dapr mode (<see cref="AppTokenAuthenticationHandler"/>): only a request with exactly
/// the sidecar's <c>dapr-api-token</c> reaches a route of the channel; anything else is a 401 before the endpoint runs.
/// </summary>
public sealed class AppTokenAuthenticationTests : IAsyncLifetime
{
    private const string Token = "9f2c61d0-app-token-of-the-sidecar";
    private WebApplication _app = null!;
    private int _served;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAppChannel(AppChannel.Sidecar(Token));
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/internal", () =>
        {
            Interlocked.Increment(ref _served);
            return "served";
        }).RequireAppChannel();
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_sidecars_token_reaches_the_route()
    {
        using var response = await SendAsync([Token]);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("served");
    }

    public static TheoryData<string, string[]> RefusedTokens() => new()
    {
        { "no header", [] },
        { "empty", [""] },
        { "one character off at the end", [Token[..^1] + "0"] },
        { "one character off at the start", ["0" + Token[1..]] },
        { "a prefix", [Token[..^1]] },
        { "one character more", [Token + "0"] },
        { "other case", [Token.ToUpperInvariant()] },
        { "twice", [Token, Token] },
        { "after a wrong one", ["wrong", Token] },
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Any_other_token_is_refused_before_the_route_runs(string what, string[] tokens)
    {
        using var response = await SendAsync(tokens);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, what);
        _served.Should().Be(0, what);
    }

    [Fact]
    public async Task The_token_is_checked_by_the_fixed_time_handler_not_the_sdks()
    {
        var scheme = await _app.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(AppTokenAuthenticationHandler.SchemeName);

        scheme.Should().NotBeNull();
        scheme!.HandlerType.Should().Be<AppTokenAuthenticationHandler>();
    }

    /// <summary>Sends <c>GET /internal</c> with one <c>dapr-api-token</c> header value per token; the body is read before it returns.</summary>
    private async Task<HttpResponseMessage> SendAsync(string[] tokens)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/internal");
        foreach (var token in tokens)
        {
            request.Headers.TryAddWithoutValidation(AppChannel.TokenHeader, token);
        }

        return await http.SendAsync(request);
    }
}
