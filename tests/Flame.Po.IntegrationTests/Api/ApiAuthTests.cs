using System.Net;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Flame.Sandbox.Keycloak;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// Real RS256 tokens from the sandbox realm against every management route: each rejected request answers
/// 401/403 problem+json and leaves records, Kubernetes objects and Keycloak clients as they were.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiAuthTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private TokenFactory Tokens => f.H.Sandbox.Tokens;

    private static readonly string[] BadTokenKinds =
        ["none", "empty-bearer", "basic", "malformed", "expired", "not-yet-valid", "wrong-signature", "unknown-kid", "alg-none", "hs256", "wrong-issuer"];

    public static TheoryData<string> BadTokens() => [.. BadTokenKinds];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Bad_tokens_are_401_on_every_route_and_change_nothing(string kind)
    {
        var fresh = Guid.NewGuid().ToString();
        var before = await f.StateAsync();

        foreach (var (method, path, body) in Routes(fresh))
        {
            using var response = await f.SendRawAsync(method, path, Authorization(kind), body?.ToJsonString());

            await ApiFixture.ShouldBeProblemAsync(response, 401);
            response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Bearer", $"{method} {path}");
        }

        (await f.StateAsync()).Should().Be(before);
        (await f.RecordAsync(fresh)).Should().BeNull();
        (await f.RecordAsync(f.Victim))!.Desired.Should().Be(DesiredState.Running);
    }

    [Theory]
    [InlineData("analysis")]
    [InlineData("other-client")]
    public async Task Valid_tokens_of_non_management_clients_are_403_and_change_nothing(string kind)
    {
        var fresh = Guid.NewGuid().ToString();
        var token = kind == "analysis" ? Tokens.Analysis(f.Victim) : Tokens.ForClient("some-other-service");
        var before = await f.StateAsync();

        foreach (var (method, path, body) in Routes(fresh).Append((HttpMethod.Post, "/po/", ApiFixture.CreateBody(f.Victim))))
        {
            using var response = await f.SendAsync(method, path, token, body);

            await ApiFixture.ShouldBeProblemAsync(response, 403);
        }

        (await f.StateAsync()).Should().Be(before);
        (await f.RecordAsync(fresh)).Should().BeNull();
    }

    [Theory]
    [InlineData("flame-po")]
    [InlineData("hub-adapter")]
    [InlineData("node-ui")]
    public async Task Management_clients_are_admitted(string client)
    {
        using var response = await f.SendAsync(HttpMethod.Get, $"/po/status/{f.Victim}", Tokens.ForClient(client));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Authentication_comes_before_body_validation()
    {
        using var response = await f.SendRawAsync(HttpMethod.Post, "/po/", null, "{not json");

        await ApiFixture.ShouldBeProblemAsync(response, 401);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unreachable_or_unconfigured_keycloak_is_503_not_500(bool configured)
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        var settings = db.EnvironmentValues();
        settings["KEYCLOAK_URL"] = configured ? $"http://127.0.0.1:{FreePort.Next()}/keycloak" : null;

        // The token's issuer is accepted, so only the missing signing keys stand in the way.
        settings["KEYCLOAK_ISSUERS"] = f.H.Sandbox.KeycloakUrl;
        await using var host = await RunningHost.StartAsync(HostTarget.All, settings);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/po/status");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Tokens.Management());

        using var response = await host.Http.SendAsync(request);

        await ApiFixture.ShouldBeProblemAsync(response, 503);
    }

    private static IEnumerable<(HttpMethod Method, string Path, JsonObject? Body)> Routes(string fresh)
    {
        yield return (HttpMethod.Post, "/po/", ApiFixture.CreateBody(fresh));
        yield return (HttpMethod.Get, "/po/status", null);
        yield return (HttpMethod.Get, $"/po/status/{fresh}", null);
        yield return (HttpMethod.Put, "/po/stop", null);
        yield return (HttpMethod.Delete, "/po/delete", null);
        yield return (HttpMethod.Put, $"/po/stop/{Guid.NewGuid()}", null);
        yield return (HttpMethod.Delete, $"/po/delete/{Guid.NewGuid()}", null);
        yield return (HttpMethod.Get, "/po/history", null);
        yield return (HttpMethod.Get, $"/po/history/{fresh}", null);
        yield return (HttpMethod.Get, "/po/logs", null);
        yield return (HttpMethod.Get, $"/po/logs/{fresh}", null);
        yield return (HttpMethod.Get, "/po/pods", null);
        yield return (HttpMethod.Get, $"/po/pods/{fresh}", null);
        yield return (HttpMethod.Get, "/po/events", null);
    }

    private string? Authorization(string kind)
    {
        var client = Tokens.ManagementClientId;
        var valid = Tokens.Management();
        return kind switch
        {
            "none" => null,
            "empty-bearer" => "Bearer ",
            "basic" => "Basic Zmxhb\u0065LXBvOnNlY3JldA==",
            "malformed" => "Bearer not.a-jwt",
            "expired" => "Bearer " + Tokens.Expired(client),
            "not-yet-valid" => "Bearer " + Tokens.NotYetValid(client),
            "wrong-signature" => "Bearer " + TestTokens.WrongSignature(valid, Tokens.ForClient("hub-adapter")),
            "unknown-kid" => "Bearer " + Tokens.WrongKey(client),
            "alg-none" => "Bearer " + TestTokens.AlgNone(valid),
            "hs256" => "Bearer " + TestTokens.Hs256(valid, f.H.Sandbox.Keycloak.Signer.Kid),
            "wrong-issuer" => "Bearer " + Tokens.WrongIssuer(client),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }
}
