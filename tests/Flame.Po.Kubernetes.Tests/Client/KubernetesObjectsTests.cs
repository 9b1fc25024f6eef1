using System.Text.Json.Nodes;

using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Cluster;

using k8s.Autorest;
using k8s.Models;

namespace Flame.Po.Kubernetes.Tests.Client;

/// <summary>What <see cref="KubernetesObjects"/> sends for create, delete and read-modify-write, and how it reads the answers.</summary>
public sealed class KubernetesObjectsTests
{
    /// <summary>A Deployment as the API server returns it, with fields the PO never sets.</summary>
    private const string DeploymentJson = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d1","namespace":"flame","resourceVersion":"7","uid":"u-1","managedFields":[{"manager":"kubectl","operation":"Update"}],"labels":{"app":"d1"}},
         "spec":{"replicas":1,"progressDeadlineSeconds":600,"revisionHistoryLimit":10,"selector":{"matchLabels":{"app":"d1"}},
           "template":{"metadata":{"labels":{"app":"d1"}},"spec":{"dnsPolicy":"ClusterFirst","containers":[{"name":"c","image":"i","terminationMessagePath":"/dev/termination-log"}]}}},
         "status":{"replicas":1,"conditions":[{"type":"Available","status":"True"}]}}
        """;

    /// <summary>A Secret as a list returns its items: without apiVersion and kind.</summary>
    private const string SecretItemJson = """
        {"metadata":{"name":"s1","namespace":"flame","resourceVersion":"9","uid":"u-9","managedFields":[{"manager":"flame-pod-orchestrator","operation":"Update"}],"annotations":{"kept":"yes"}},
         "type":"kubernetes.io/dockerconfigjson","immutable":false,"data":{".dockerconfigjson":"e30="}}
        """;

    /// <summary>What the API server answers to a delete that removed the object at once.</summary>
    private const string DeletedStatus = """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"d1","group":"apps","kind":"deployments","uid":"u-1"}}""";

    private static V1Deployment Deployment(string name, string? uid = null) =>
        new() { ApiVersion = "apps/v1", Kind = "Deployment", Metadata = new V1ObjectMeta { Name = name, Uid = uid } };

    [Fact]
    public async Task Create_posts_strictly_validated_json_with_the_bearer_token()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 201, DeploymentJson));
        using var client = server.Client();

        (await new KubernetesObjects(client, "flame").CreateIfMissingAsync(Deployment("d1"), CancellationToken.None)).Should().BeTrue();

        var request = server.Requests.Single();
        request.Method.Should().Be("POST");
        request.PathAndQuery.Should().Be("/apis/apps/v1/namespaces/flame/deployments?fieldValidation=Strict");
        request.Authorization.Should().Be("Bearer test-token");
        request.ContentType.Should().StartWith("application/json");
        var body = JsonNode.Parse(request.Body)!;
        body["apiVersion"]!.GetValue<string>().Should().Be("apps/v1");
        body["kind"]!.GetValue<string>().Should().Be("Deployment");
        body["metadata"]!["name"]!.GetValue<string>().Should().Be("d1");
    }

    [Fact]
    public async Task Already_exists_means_created_already_and_a_create_is_never_retried_on_409()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) =>
            ScriptedApiServer.Json(c, 409, ScriptedApiServer.Status(409, "AlreadyExists", "services \"s\" already exists", """{"name":"s","kind":"services"}""")));
        using var client = server.Client();
        var objects = new KubernetesObjects(client, "flame");
        var service = new V1Service { ApiVersion = "v1", Kind = "Service", Metadata = new V1ObjectMeta { Name = "s" } };

        (await objects.CreateIfMissingAsync(service, CancellationToken.None)).Should().BeFalse();
        (await objects.CreateIfMissingAsync(service, CancellationToken.None)).Should().BeFalse();

        server.Requests.Should().HaveCount(2, "a create is not idempotent and a 409 is never retried");
        server.Requests.Should().OnlyContain(r => r.PathAndQuery == "/api/v1/namespaces/flame/services?fieldValidation=Strict");
    }

    [Fact]
    public async Task A_create_that_fails_otherwise_throws()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) =>
            ScriptedApiServer.Json(c, 409, ScriptedApiServer.Status(409, "Conflict", "Operation cannot be fulfilled")));
        using var client = server.Client();

        var create = () => new KubernetesObjects(client, "flame").CreateIfMissingAsync(Deployment("d1"), CancellationToken.None);

        (await create.Should().ThrowAsync<HttpOperationException>()).Which.Should().Match<HttpOperationException>(e => KubernetesErrors.Classify(e) == KubernetesFailure.Conflict);
    }

    [Fact]
    public async Task Delete_sends_background_propagation_and_the_uid_precondition_and_404_means_already_gone()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, i) => i == 0
            ? ScriptedApiServer.Json(c, 200, DeletedStatus)
            : ScriptedApiServer.Json(c, 404, ScriptedApiServer.Status(404, "NotFound", "deployments.apps \"d1\" not found")));
        using var client = server.Client();
        var objects = new KubernetesObjects(client, "flame");

        (await objects.DeleteIfPresentAsync(Deployment("d1", uid: "u-1"), CancellationToken.None)).Should().BeTrue();
        (await objects.DeleteIfPresentAsync(Deployment("d1", uid: "u-1"), CancellationToken.None)).Should().BeFalse();

        var request = server.Requests.First();
        request.Method.Should().Be("DELETE");
        request.PathAndQuery.Should().Be("/apis/apps/v1/namespaces/flame/deployments/d1");
        var body = JsonNode.Parse(request.Body)!;
        body["kind"]!.GetValue<string>().Should().Be("DeleteOptions");
        body["propagationPolicy"]!.GetValue<string>().Should().Be("Background");
        body["preconditions"]!["uid"]!.GetValue<string>().Should().Be("u-1");
    }

    [Theory]
    [InlineData(DeletedStatus)]
    [InlineData(DeploymentJson)]
    public async Task A_delete_answered_with_a_status_or_the_still_terminating_object_is_accepted(string answer)
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, answer));
        using var client = server.Client();

        (await new KubernetesObjects(client, "flame").DeleteIfPresentAsync(Deployment("d1", uid: "u-1"), CancellationToken.None)).Should().BeTrue();
    }

    [Fact]
    public async Task Delete_without_a_uid_sends_no_precondition()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p1","deletionTimestamp":"2026-12-06T11:00:00Z"}}"""));
        using var client = server.Client();

        (await new KubernetesObjects(client, "flame").DeleteIfPresentAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "p1" } }, CancellationToken.None)).Should().BeTrue();

        var request = server.Requests.Single();
        request.PathAndQuery.Should().Be("/api/v1/namespaces/flame/pods/p1");
        var body = JsonNode.Parse(request.Body)!.AsObject();
        body["propagationPolicy"]!.GetValue<string>().Should().Be("Background");
        body.ContainsKey("preconditions").Should().BeFalse();
    }

    [Fact]
    public async Task A_delete_whose_uid_no_longer_matches_is_not_an_error()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 409, ScriptedApiServer.Status(
            409, "Conflict", "Precondition failed: UID in precondition: u-old, UID in object meta: u-new")));
        using var client = server.Client();

        (await new KubernetesObjects(client, "flame").DeleteIfPresentAsync(Deployment("d1", uid: "u-old"), CancellationToken.None)).Should().BeFalse();

        server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Read_modify_write_of_a_deployment_keeps_the_fields_the_server_set()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, DeploymentJson));
        using var client = server.Client();
        var objects = new KubernetesObjects(client, "flame");

        var read = await objects.GetDeploymentAsync("d1", CancellationToken.None);
        read.Spec.Replicas = 0;
        await objects.ReplaceAsync(read, CancellationToken.None);

        var put = server.Requests.Last();
        put.Method.Should().Be("PUT");
        put.PathAndQuery.Should().Be("/apis/apps/v1/namespaces/flame/deployments/d1?fieldValidation=Strict");
        var written = JsonNode.Parse(put.Body)!;
        written["spec"]!["replicas"]!.GetValue<int>().Should().Be(0);
        written["spec"]!["progressDeadlineSeconds"]!.GetValue<int>().Should().Be(600);
        written["spec"]!["revisionHistoryLimit"]!.GetValue<int>().Should().Be(10);
        written["metadata"]!["resourceVersion"]!.GetValue<string>().Should().Be("7", "the write must fail with 409 if the object changed meanwhile");
        written["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>().Should().Be("kubectl");
        written["spec"]!["template"]!["spec"]!["dnsPolicy"]!.GetValue<string>().Should().Be("ClusterFirst");
        written["spec"]!["template"]!["spec"]!["containers"]![0]!["terminationMessagePath"]!.GetValue<string>().Should().Be("/dev/termination-log");
        written["status"]!["conditions"]![0]!["type"]!.GetValue<string>().Should().Be("Available");
    }

    [Fact]
    public async Task Read_modify_write_of_a_list_item_adds_the_api_version_and_kind_it_lacked()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 200, SecretItemJson));
        using var client = server.Client();
        var objects = new KubernetesObjects(client, "flame");

        var read = await objects.GetSecretAsync("s1", CancellationToken.None);
        read.ApiVersion.Should().BeNull("the scripted answer is shaped like a list item");
        read.Data[".dockerconfigjson"] = "e30K"u8.ToArray();
        await objects.ReplaceAsync(read, CancellationToken.None);

        var put = server.Requests.Last();
        put.PathAndQuery.Should().Be("/api/v1/namespaces/flame/secrets/s1?fieldValidation=Strict");
        var written = JsonNode.Parse(put.Body)!;
        written["apiVersion"]!.GetValue<string>().Should().Be("v1");
        written["kind"]!.GetValue<string>().Should().Be("Secret");
        written["type"]!.GetValue<string>().Should().Be("kubernetes.io/dockerconfigjson");
        written["immutable"]!.GetValue<bool>().Should().BeFalse();
        written["metadata"]!["annotations"]!["kept"]!.GetValue<string>().Should().Be("yes");
        written["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>().Should().Be("flame-pod-orchestrator");
        written["metadata"]!["uid"]!.GetValue<string>().Should().Be("u-9");
    }
}
