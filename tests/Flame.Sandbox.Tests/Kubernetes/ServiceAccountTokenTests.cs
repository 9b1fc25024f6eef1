using System.Net;
using System.Net.Http.Headers;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Kubernetes;

/// <summary>Service-account tokens the API server accepts next to the admin token, accepted and revoked while it runs.</summary>
public sealed class ServiceAccountTokenTests
{
    [Fact]
    public async Task Tokens_are_accepted_and_revoked_at_run_time_and_each_request_records_its_token()
    {
        await using var h = await SandboxHarness.StartAsync(new SandboxOptions { TimeScale = 0.001, ServiceAccountTokens = ["sa-token-a"] });
        var auth = h.Server.ApiAuthentication;

        (await ListAsync(h, "sa-token-a")).Should().Be(HttpStatusCode.OK);
        (await ListAsync(h, "sa-token-b")).Should().Be(HttpStatusCode.Unauthorized);

        auth.Accept("sa-token-b");
        (await ListAsync(h, "sa-token-b")).Should().Be(HttpStatusCode.OK);
        auth.Revoke("sa-token-a");
        (await ListAsync(h, "sa-token-a")).Should().Be(HttpStatusCode.Unauthorized);
        (await ListAsync(h, null)).Should().Be(HttpStatusCode.Unauthorized);
        (await h.GetAsync(h.Secrets)).Code.Should().Be(200, "the admin token is not affected");

        auth.Requests().Select(r => (r.Token, r.Accepted)).Should().Equal(
            ("sa-token-a", true), ("sa-token-b", false), ("sa-token-b", true), ("sa-token-a", false), (null, false), (h.Server.KubernetesToken, true));
    }

    private static async Task<HttpStatusCode> ListAsync(SandboxHarness h, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, h.Secrets);
        request.Headers.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        using var response = await h.Anonymous.SendAsync(request);
        return response.StatusCode;
    }
}
