using System.Text;

using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Cluster;

using k8s;
using k8s.Models;

using Microsoft.AspNetCore.Http;

namespace Flame.Po.Kubernetes.Tests.Client;

/// <summary>
/// Every request the lifecycle's Kubernetes helpers send needs a rule of <see cref="LifecyclePermissions"/> (the
/// contract behind the Role): a helper that starts sending a new verb or resource fails here until the list
/// names it. (RbacCoverageTests holds the other end: a lifecycle run uses every listed rule.)
/// </summary>
public sealed class PermissionCoverageTests
{
    [Fact]
    public async Task Every_request_of_the_lifecycle_helpers_is_covered_by_the_permission_list()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => c.Request.Path.Value!.EndsWith("/log", StringComparison.Ordinal)
            ? c.Response.WriteAsync("x")
            : ScriptedApiServer.Json(c, 200, """{"metadata":{"name":"x","uid":"u-1"},"items":[]}"""));
        using var cluster = server.Connection();
        var objects = cluster.Objects;
        IKubernetesObject<V1ObjectMeta>[] owned =
        [
            new V1Deployment { Metadata = Meta() },
            new V1Service { Metadata = Meta() },
            new V1NetworkPolicy { Metadata = Meta() },
            new V1ConfigMap { Metadata = Meta() },
            new V1Secret { Metadata = Meta() },
        ];

        foreach (var item in owned)
        {
            await objects.CreateIfMissingAsync(item, CancellationToken.None);
            await objects.DeleteIfPresentAsync(item, CancellationToken.None);
        }

        await objects.DeleteIfPresentAsync(new V1Pod { Metadata = Meta() }, CancellationToken.None);
        await objects.ReplaceAsync(await objects.GetDeploymentAsync("x", CancellationToken.None), CancellationToken.None);
        await objects.ReplaceAsync(await objects.GetConfigMapAsync("x", CancellationToken.None), CancellationToken.None);
        await objects.ReplaceAsync(await objects.GetSecretAsync("x", CancellationToken.None), CancellationToken.None);
        await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId: null, CancellationToken.None);
        await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId: "0b4c7f2e-5d8a-4c1e-9f3b-2a6d8e1c7b90", CancellationToken.None);
        await DeploymentPods.ListAsync(cluster.Client, cluster.Namespace, deploymentName: null, CancellationToken.None);
        await new KubernetesHealthCheck(cluster).CheckHealthAsync(new(), CancellationToken.None);
        var restarted = new V1Pod
        {
            Metadata = Meta(),
            Status = new V1PodStatus { ContainerStatuses = [new V1ContainerStatus { Name = "c", RestartCount = 1, State = new V1ContainerState() }] },
        };
        var errors = new List<string>();
        await PodLogCollector.ReadLiveAsync(cluster.Client, cluster.Namespace, [restarted], "c", errors, CancellationToken.None);
        (await cluster.ProxyAsync("nginx-x", 80, "/analysis/healthz", HttpMethod.Get, body: null, CancellationToken.None)).Dispose();
        using var body = new StringContent("{}", Encoding.UTF8, "application/json");
        (await cluster.ProxyAsync("nginx-x", 80, "/analysis/token_refresh", HttpMethod.Post, body, CancellationToken.None)).Dispose();

        errors.Should().BeEmpty();
        var sent = server.Requests.Select(r => r.Method + " " + r.PathAndQuery).ToList();
        sent.Should().Contain("GET /api/v1/namespaces/flame/pods/x/log?container=c&limitBytes=1048576&previous=true");
        foreach (var request in server.Requests)
        {
            LifecyclePermissions.All.Should().Contain(RbacRuleOf(request), request.Method + " " + request.PathAndQuery);
        }
    }

    [Theory]
    [InlineData("GET", "/apis/apps/v1/namespaces/flame/deployments?labelSelector=x", "apps", "deployments", "list")]
    [InlineData("GET", "/apis/apps/v1/namespaces/flame/deployments/d1", "apps", "deployments", "get")]
    [InlineData("GET", "/api/v1/namespaces/flame/pods?watch=true", "", "pods", "watch")]
    [InlineData("PUT", "/api/v1/namespaces/flame/secrets/s", "", "secrets", "update")]
    [InlineData("PATCH", "/api/v1/namespaces/flame/secrets/s", "", "secrets", "patch")]
    [InlineData("POST", "/apis/networking.k8s.io/v1/namespaces/flame/networkpolicies", "networking.k8s.io", "networkpolicies", "create")]
    [InlineData("DELETE", "/api/v1/namespaces/flame/pods/p", "", "pods", "delete")]
    [InlineData("GET", "/api/v1/namespaces/flame/pods/p/log?container=c", "", "pods/log", "get")]
    [InlineData("POST", "/api/v1/namespaces/flame/services/nginx-x:80/proxy/analysis/token_refresh", "", "services/proxy", "create")]
    public void Requests_map_to_rules_as_the_authorizer_maps_them(string method, string pathAndQuery, string group, string resource, string verb) =>
        RbacRuleOf(new ScriptedApiServer.Request(method, pathAndQuery, null, null, "")).Should().Be(new KubernetesRbacRule(group, resource, verb));

    private static V1ObjectMeta Meta() => new() { Name = "x", Uid = "u-1" };

    /// <summary>Maps a namespaced request to the RBAC rule it needs, as the API server's authorizer does.</summary>
    private static KubernetesRbacRule RbacRuleOf(ScriptedApiServer.Request request)
    {
        var path = request.PathAndQuery.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (group, rest) = path[0] == "api" ? ("", path[2..]) : (path[1], path[3..]);
        rest[0].Should().Be("namespaces", "the PO only sends namespaced requests");
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
            "DELETE" => hasName ? "delete" : "deletecollection",
            _ => request.Method,
        };
        return new KubernetesRbacRule(group, resource + subresource, verb);
    }
}
