using System.Text.Json.Nodes;

using Flame.Po.Kubernetes.Client;
using Flame.Po.Kubernetes.Models;
using Flame.Po.Kubernetes.Tests.Support;

using Microsoft.AspNetCore.Http;

namespace Flame.Po.Kubernetes.Tests.Client;

public sealed class KubernetesClientTests
{
    private const string DeploymentJson = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d1","namespace":"flame","resourceVersion":"7","uid":"u-1","managedFields":[{"manager":"kubectl"}],"labels":{"app":"d1"}},
         "spec":{"replicas":1,"progressDeadlineSeconds":600,"selector":{"matchLabels":{"app":"d1"}},
           "template":{"metadata":{"labels":{"app":"d1"}},"spec":{"dnsPolicy":"ClusterFirst","containers":[{"name":"c","image":"i","terminationMessagePath":"/dev/termination-log"}]}}},
         "status":{"replicas":1,"conditions":[{"type":"Available","status":"True"}]}}
        """;

    [Fact]
    public async Task Create_posts_strictly_validated_json_with_the_bearer_token()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 201, DeploymentJson));
        using var client = server.Client();

        var created = await client.Deployments().CreateAsync(new Deployment { Metadata = new ObjectMeta { Name = "d1" } });

        created.Metadata.Uid.Should().Be("u-1");
        var request = server.Requests.Single();
        request.Method.Should().Be("POST");
        request.PathAndQuery.Should().Be("/apis/apps/v1/namespaces/flame/deployments?fieldValidation=Strict");
        request.Authorization.Should().Be("Bearer test-token");
        request.ContentType.Should().Be("application/json; charset=utf-8");
        JsonNode.Parse(request.Body)!["kind"]!.GetValue<string>().Should().Be("Deployment");
    }

    [Fact]
    public async Task Already_exists_is_a_typed_conflict_and_ensure_created_treats_it_as_done()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 409, ScriptedApiServer.Status(409, "AlreadyExists", "services \"s\" already exists")));
        using var client = server.Client();

        var create = () => client.Services().CreateAsync(new Service { Metadata = new ObjectMeta { Name = "s" } });

        (await create.Should().ThrowAsync<KubernetesConflictException>()).Which.IsAlreadyExists.Should().BeTrue();
        (await client.Services().EnsureCreatedAsync(new Service { Metadata = new ObjectMeta { Name = "s" } })).Should().BeFalse();
        server.Requests.Should().HaveCount(2, "a create is not idempotent and a 409 is never retried");
    }

    [Fact]
    public async Task Not_found_carries_the_status_and_try_get_returns_null()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 404, ScriptedApiServer.Status(404, "NotFound", "pods \"p\" not found", """{"name":"p","kind":"pods"}""")));
        using var client = server.Client();

        var error = (await client.Pods().Invoking(p => p.GetAsync("p")).Should().ThrowAsync<KubernetesNotFoundException>()).Which;

        error.Status.Reason.Should().Be("NotFound");
        error.Status.Details!.Kind.Should().Be("pods");
        (await client.Pods().TryGetAsync("p")).Should().BeNull();
    }

    [Fact]
    public async Task Delete_sends_the_propagation_policy_and_404_means_already_gone()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, i) => i == 0
            ? ScriptedApiServer.Json(c, 200, """{"kind":"Status","apiVersion":"v1","status":"Success"}""")
            : ScriptedApiServer.Json(c, 404, ScriptedApiServer.Status(404, "NotFound", "gone")));
        using var client = server.Client();

        (await client.Deployments().DeleteAsync("d1", PropagationPolicy.Foreground)).Should().BeTrue();
        (await client.Deployments().DeleteAsync("d1", PropagationPolicy.Foreground)).Should().BeFalse();

        server.Requests.First().PathAndQuery.Should().Be("/apis/apps/v1/namespaces/flame/deployments/d1?propagationPolicy=Foreground");
    }

    [Fact]
    public async Task Invalid_surfaces_the_causes()
    {
        const string details = """{"name":"d","kind":"Deployment","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}]}""";
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 422, ScriptedApiServer.Status(422, "Invalid", "Deployment.apps \"d\" is invalid", details)));
        using var client = server.Client();

        var error = (await client.Deployments().Invoking(d => d.CreateAsync(new Deployment { Metadata = new ObjectMeta { Name = "d" } })).Should().ThrowAsync<KubernetesInvalidException>()).Which;

        error.Causes.Single().Field.Should().Be("spec.selector");
        error.Causes.Single().Reason.Should().Be("FieldValueRequired");
    }

    [Fact]
    public async Task Too_many_requests_is_retried_after_the_servers_retry_after()
    {
        await using var server = await ScriptedApiServer.StartAsync(async (c, i) =>
        {
            if (i == 0)
            {
                c.Response.Headers.RetryAfter = "1";
                await ScriptedApiServer.Json(c, 429, ScriptedApiServer.Status(429, "TooManyRequests", "slow down"));
                return;
            }

            await ScriptedApiServer.Json(c, 201, DeploymentJson);
        });
        var logger = new ListLogger<KubernetesClient>();
        using var client = server.Client(logger: logger);

        var created = await client.Deployments().CreateAsync(new Deployment { Metadata = new ObjectMeta { Name = "d1" } });

        created.Metadata.Name.Should().Be("d1");
        server.Requests.Should().HaveCount(2, "a 429 is retried even for a create");
        logger.Messages.Should().ContainSingle().Which.Should().Contain("429").And.Contain("in 1000 ms");
    }

    [Fact]
    public async Task Server_errors_are_retried_for_reads_but_not_for_creates()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, i) => i is 0 or 1 or 3
            ? ScriptedApiServer.Json(c, 503, ScriptedApiServer.Status(503, "ServiceUnavailable", "etcd busy"))
            : ScriptedApiServer.Json(c, 200, DeploymentJson));
        using var client = server.Client();

        (await client.Deployments().GetAsync("d1")).Metadata.Name.Should().Be("d1");
        server.Requests.Should().HaveCount(3);

        await client.Deployments().Invoking(d => d.CreateAsync(new Deployment { Metadata = new ObjectMeta { Name = "d1" } })).Should().ThrowAsync<KubernetesApiException>();
        server.Requests.Should().HaveCount(4);
    }

    [Fact]
    public async Task List_all_follows_continue_tokens_and_keeps_the_snapshot_version()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, i) => ScriptedApiServer.Json(c, 200, i == 0
            ? """{"kind":"PodList","metadata":{"resourceVersion":"50","continue":"page-2"},"items":[{"metadata":{"name":"a"}}]}"""
            : """{"kind":"PodList","metadata":{"resourceVersion":"50"},"items":[{"metadata":{"name":"b"}}]}"""));
        using var client = server.Client();

        var list = await client.Pods().ListAllAsync(new ListOptions { LabelSelector = "app=x,component in (a,b)", Limit = 1 });

        list.Items.Select(p => p.Metadata.Name).Should().Equal("a", "b");
        list.Metadata.ResourceVersion.Should().Be("50");
        server.Requests.Select(r => r.PathAndQuery).Should().Equal(
            "/api/v1/namespaces/flame/pods?labelSelector=app%3Dx%2Ccomponent%20in%20%28a%2Cb%29&limit=1",
            "/api/v1/namespaces/flame/pods?labelSelector=app%3Dx%2Ccomponent%20in%20%28a%2Cb%29&limit=1&continue=page-2");
    }

    [Fact]
    public async Task An_unpaged_list_is_one_request_without_a_limit()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200,
            """{"kind":"PodList","metadata":{"resourceVersion":"50"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"""));
        using var client = server.Client();

        var list = await client.Pods().ListAllAsync(new ListOptions { LabelSelector = "app=x", Limit = ListOptions.Unpaged });

        list.Items.Select(p => p.Metadata.Name).Should().Equal("a", "b");
        server.Requests.Select(r => r.PathAndQuery).Should().Equal("/api/v1/namespaces/flame/pods?labelSelector=app%3Dx");
    }

    [Fact]
    public async Task Logs_pass_container_tail_previous_and_limit()
    {
        await using var server = await ScriptedApiServer.StartAsync(async (c, _) =>
        {
            c.Response.ContentType = "text/plain";
            await c.Response.WriteAsync("line 1\nline 2\n");
        });
        using var client = server.Client();

        var log = await client.Pods().ReadLogAsync("p1", new PodLogOptions { Container = "c1", TailLines = 100, Previous = true, LimitBytes = 4096 });

        log.Should().Be("line 1\nline 2\n");
        server.Requests.Single().PathAndQuery.Should().Be("/api/v1/namespaces/flame/pods/p1/log?container=c1&tailLines=100&previous=true&limitBytes=4096");
    }

    [Fact]
    public async Task Read_modify_write_keeps_fields_we_do_not_model()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, DeploymentJson));
        using var client = server.Client();

        var read = await client.Deployments().GetAsync("d1");
        await client.Deployments().ReplaceAsync(read with { Spec = read.Spec! with { Replicas = 0 } });

        var written = JsonNode.Parse(server.Requests.Last().Body)!;
        written["spec"]!["replicas"]!.GetValue<int>().Should().Be(0);
        written["spec"]!["progressDeadlineSeconds"]!.GetValue<int>().Should().Be(600);
        written["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>().Should().Be("kubectl");
        written["spec"]!["template"]!["spec"]!["dnsPolicy"]!.GetValue<string>().Should().Be("ClusterFirst");
        written["spec"]!["template"]!["spec"]!["containers"]![0]!["terminationMessagePath"]!.GetValue<string>().Should().Be("/dev/termination-log");
        written["status"]!["conditions"]![0]!["type"]!.GetValue<string>().Should().Be("Available");
        server.Requests.Last().PathAndQuery.Should().Be("/apis/apps/v1/namespaces/flame/deployments/d1?fieldValidation=Strict");
    }

    [Fact]
    public async Task Apply_uses_server_side_apply_with_our_field_manager()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, DeploymentJson));
        using var client = server.Client();

        await client.Deployments().ApplyAsync(new Deployment { Metadata = new ObjectMeta { Name = "d1" } });

        var request = server.Requests.Single();
        request.Method.Should().Be("PATCH");
        request.ContentType.Should().StartWith("application/apply-patch+yaml");
        request.PathAndQuery.Should().Be("/apis/apps/v1/namespaces/flame/deployments/d1?fieldManager=flame-pod-orchestrator&force=true&fieldValidation=Strict");
    }

    [Fact]
    public async Task Service_proxy_reaches_the_analysis_through_the_api_server()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 503, """{"status":"stuck"}"""));
        using var client = server.Client();

        using var response = await client.ProxyAsync("nginx-analysis-x-1", 80, "/analysis/healthz", HttpMethod.Get);

        ((int)response.StatusCode).Should().Be(503, "the analysis' own answer is returned, not turned into an error");
        server.Requests.Single().PathAndQuery.Should().Be("/api/v1/namespaces/flame/services/nginx-analysis-x-1:80/proxy/analysis/healthz");
        await client.Invoking(c => c.ProxyAsync("s", 80, "/../../api", HttpMethod.Get)).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Every_request_the_client_sends_is_covered_by_the_permission_list()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => c.Request.Path.Value!.EndsWith("/log", StringComparison.Ordinal)
            ? c.Response.WriteAsync("x")
            : ScriptedApiServer.Json(c, 200, c.Request.Path.Value.EndsWith("pods", StringComparison.Ordinal) ? """{"metadata":{},"items":[]}""" : DeploymentJson));
        using var client = server.Client();
        var d = new Deployment { Metadata = new ObjectMeta { Name = "d1" } };

        await client.Deployments().CreateAsync(d);
        await client.Deployments().GetAsync("d1");
        await client.Deployments().ReplaceAsync(d);
        await client.Deployments().ApplyAsync(d);
        await client.Deployments().DeleteAsync("d1");
        await client.Pods().ListAsync();
        await client.Pods().ReadLogAsync("p");
        (await client.ProxyAsync("s", 80, "/x", HttpMethod.Post)).Dispose();

        foreach (var request in server.Requests)
        {
            KubernetesPermissions.All.Should().Contain(RbacRuleOf(request), request.Method + " " + request.PathAndQuery);
        }
    }

    /// <summary>Maps a request to the RBAC rule it needs, as the API server's authorizer does.</summary>
    internal static KubernetesRbacRule RbacRuleOf(ScriptedApiServer.Request request)
    {
        var path = request.PathAndQuery.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (group, rest) = path[0] == "api" ? ("", path[2..]) : (path[1], path[3..]);
        var resource = rest[2];
        var hasName = rest.Length > 3;
        var subresource = rest.Length > 4 ? "/" + rest[4] : "";
        var watch = request.PathAndQuery.Contains("watch=true", StringComparison.Ordinal);
        var verb = request.Method switch
        {
            "GET" when watch => "watch",
            "GET" => hasName ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => request.Method,
        };
        return new KubernetesRbacRule(group, resource + subresource, verb);
    }
}
