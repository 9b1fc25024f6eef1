using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Cluster;

using k8s;

namespace Flame.Po.Kubernetes.Tests.Client;

/// <summary><see cref="ServiceProxy"/>: an analysis reached through the API server, its answers returned as they are.</summary>
public sealed class ServiceProxyTests
{
    private const string HealthzPath = "/api/v1/namespaces/flame/services/nginx-x:80/proxy/analysis/healthz";

    [Fact]
    public async Task A_get_reaches_the_analysis_and_its_503_is_returned_as_is_without_a_retry()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 503, """{"status":"stuck"}"""));
        using var cluster = server.Connection();

        using var response = await cluster.ProxyAsync("nginx-x", 80, "/analysis/healthz", HttpMethod.Get, body: null, CancellationToken.None);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "the analysis' own answer is returned, not turned into an error");
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"status":"stuck"}""");
        var request = server.Requests.Should().ContainSingle("the analysis' answers matter: a proxied request is sent once").Which;
        request.Method.Should().Be("GET");
        request.PathAndQuery.Should().Be(HealthzPath);
        request.Authorization.Should().Be("Bearer test-token");
    }

    [Fact]
    public async Task A_post_carries_its_body_and_the_bearer_token()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, """{"ok":true}"""));
        using var cluster = server.Connection();
        using var body = JsonContent.Create(new JsonObject { ["token"] = "kc-token" });

        using var response = await cluster.ProxyAsync("nginx-x", 80, "/analysis/healthz", HttpMethod.Post, body, CancellationToken.None);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var request = server.Requests.Single();
        request.Method.Should().Be("POST");
        request.PathAndQuery.Should().Be(HealthzPath);
        request.Authorization.Should().Be("Bearer test-token");
        request.ContentType.Should().StartWith("application/json");
        JsonNode.Parse(request.Body)!["token"]!.GetValue<string>().Should().Be("kc-token");
    }

    [Fact]
    public async Task The_analysis_answers_do_not_open_the_circuit_of_the_api_server()
    {
        // An analysis that is not ready: the API server answers 503 for its Service (no endpoints), tick after tick.
        await using var server = await ScriptedApiServer.StartAsync((c, _) => c.Request.Path.Value!.Contains("/proxy/", StringComparison.Ordinal)
            ? ScriptedApiServer.Json(c, 503, ScriptedApiServer.Status(503, "ServiceUnavailable", "no endpoints available for service \"nginx-x\""))
            : ScriptedApiServer.Json(c, 200, """{"metadata":{},"items":[]}"""));
        using var cluster = server.Connection();

        for (var i = 0; i < 30; i++)
        {
            using var response = await cluster.ProxyAsync("nginx-x", 80, "/analysis/healthz", HttpMethod.Get, body: null, CancellationToken.None);
            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        }

        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace);

        pods.Items.Should().BeEmpty();
        server.Requests.Should().HaveCount(31, "the list reached the API server: its own answers were all fine");
    }

    [Fact]
    public async Task A_kubeconfig_tls_server_name_is_the_host_of_proxied_requests_as_of_the_clients_own()
    {
        // A cluster reached under another address than its certificate's name (kubeconfig tls-server-name): TLS
        // checks the certificate against the Host, so a proxied request without it would fail where lists succeed.
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, """{"metadata":{},"items":[]}"""));
        using var cluster = server.Connection(tlsServerName: "kubernetes.flame.internal");

        await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace);
        using var response = await cluster.ProxyAsync("nginx-x", 80, "/analysis/healthz", HttpMethod.Get, body: null, CancellationToken.None);

        server.Requests.Select(r => r.Host).Should().Equal("kubernetes.flame.internal", "kubernetes.flame.internal");
    }

    [Fact]
    public async Task Without_a_tls_server_name_the_proxied_request_goes_to_the_server_address()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, "{}"));
        using var cluster = server.Connection();

        using var response = await cluster.ProxyAsync("nginx-x", 80, "/analysis/healthz", HttpMethod.Get, body: null, CancellationToken.None);

        server.Requests.Single().Host.Should().Be(server.Address.Authority);
    }

    [Theory]
    [InlineData("/../../api/v1/namespaces/flame/secrets")]
    [InlineData("/analysis/..")]
    [InlineData("analysis/healthz")]
    [InlineData("/analysis/healthz\r\nX-Injected: 1")]
    public async Task A_path_that_could_leave_the_service_is_refused_before_anything_is_sent(string path)
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, "{}"));
        using var cluster = server.Connection();

        var proxy = () => cluster.ProxyAsync("nginx-x", 80, path, HttpMethod.Get, body: null, CancellationToken.None);

        await proxy.Should().ThrowAsync<ArgumentException>();
        server.Requests.Should().BeEmpty();
    }
}
