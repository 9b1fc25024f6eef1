using System.Net;
using System.Text;
using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.Invocation;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// In <c>--target all</c> the internal routes, subscriptions and bindings exist only on the host's private local
/// channel: on the public port they are refused without a token, with a wrong one, and even with the right one,
/// and nothing changes. (Three-process mode: <c>ThreeProcessTests.Internal_routes_answer_only_calls_with_the_app_token</c>.)
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class InternalRoutesTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData("GET", LifecycleRoutes.Status)]
    [InlineData("GET", LifecycleRoutes.History)]
    [InlineData("GET", LifecycleRoutes.Logs)]
    [InlineData("GET", LifecycleRoutes.Pods)]
    [InlineData("POST", LifecycleRoutes.Create)]
    [InlineData("POST", LifecycleRoutes.Stop)]
    [InlineData("POST", LifecycleRoutes.Delete)]
    [InlineData("POST", LifecycleRoutes.Cleanup)]
    [InlineData("POST", LoggingRoutes.Ingest)]
    [InlineData("POST", "/status-loop")]
    [InlineData("GET", "/dapr/subscribe")]
    [InlineData("POST", "/events/lifecycle/analysis-reports")]
    [InlineData("POST", "/events/logging/analysis-events")]
    [InlineData("POST", "/events/api/analysis-events")]
    public async Task Are_refused_on_the_public_port_whatever_the_token(string method, string route)
    {
        var channelToken = f.H.Host.Services.GetRequiredService<AppChannel>().Token!;
        using var statusBefore = await f.SendAsync(HttpMethod.Get, "/po/status", f.H.Sandbox.Tokens.Management());
        var before = await statusBefore.Content.ReadAsStringAsync();

        foreach (var token in new[] { null, "wrong-token", channelToken })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), route);
            if (token is not null)
            {
                request.Headers.Add(AppChannel.TokenHeader, token);
            }

            if (method == "POST")
            {
                request.Content = new StringContent("""{"analysis_ids":null,"types":["all"]}""", Encoding.UTF8, "application/json");
            }

            using var response = await f.Http.SendAsync(request);

            response.StatusCode.Should().BeOneOf([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden], $"{method} {route} with {(token is null ? "no token" : token == channelToken ? "the channel's token" : "a wrong token")}");
        }

        using var statusAfter = await f.SendAsync(HttpMethod.Get, "/po/status", f.H.Sandbox.Tokens.Management());
        (await statusAfter.Content.ReadAsStringAsync()).Should().Be(before, "nothing changed");
    }
}
