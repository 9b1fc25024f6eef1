using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

using k8s;
using k8s.Models;

namespace Flame.Sandbox.Tests.Kubernetes;

/// <summary>Answers a real apiserver gives and the official C# client relies on.</summary>
public sealed class ConformanceTests
{
    private static SandboxOptions Options => new() { TimeScale = 0.001, SeedNodeServices = false };

    [Fact]
    public async Task Deleting_a_service_answers_200_with_the_deleted_service()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        var (_, created) = await h.PostAsync(h.Services, SandboxHarness.Service("s1", "x"));
        var (code, deleted) = await h.SendAsync(HttpMethod.Delete, $"{h.Services}/s1");
        code.Should().Be(200);
        deleted.S("kind").Should().Be("Service");
        deleted.S("apiVersion").Should().Be("v1");
        deleted.S("metadata", "uid").Should().Be(created.S("metadata", "uid"));
        deleted.S("metadata", "deletionTimestamp").Should().BeNull("a service has no graceful deletion");
        deleted.S("spec", "clusterIP").Should().Be(created.S("spec", "clusterIP"));
        h.Server.Objects.Get("services", h.Ns, "s1").Should().BeNull();

        using var client = OfficialClient.For(h);
        await h.PostAsync(h.Services, SandboxHarness.Service("s2", "x"));
        var service = await client.CoreV1.DeleteNamespacedServiceAsync("s2", h.Ns);
        service.Metadata.Name.Should().Be("s2");
        service.Spec.Ports.Should().ContainSingle().Which.Port.Should().Be(80);
    }

    [Fact]
    public async Task Deleting_a_pod_at_once_answers_the_pod_not_a_status()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        await h.PostAsync(h.Pods, SandboxHarness.Pod("p1", "sim/stuck"));
        await h.WaitForPodAsync("app=p1", p => p.S("status", "phase") == "Running");
        var (code, pod) = await h.SendAsync(HttpMethod.Delete, $"{h.Pods}/p1?gracePeriodSeconds=0");
        code.Should().Be(200);
        pod.S("kind").Should().Be("Pod");
        pod.S("metadata", "name").Should().Be("p1");
        pod.S("metadata", "deletionGracePeriodSeconds").Should().Be("0");
        pod.S("metadata", "deletionTimestamp").Should().NotBeNull();
        h.Server.Objects.Get("pods", h.Ns, "p1").Should().BeNull();

        await h.PostAsync(h.Pods, SandboxHarness.Pod("done", "sim/ok?runtime=0s"));
        await h.WaitForPodAsync("app=done", p => p.S("status", "phase") == "Succeeded");
        (code, pod) = await h.SendAsync(HttpMethod.Delete, $"{h.Pods}/done");
        code.Should().Be(200);
        pod.S("kind").Should().Be("Pod");
        pod.S("status", "phase").Should().Be("Succeeded");
        h.Server.Objects.Get("pods", h.Ns, "done").Should().BeNull("a terminated pod is deleted at once");

        var (dry, _) = await h.PostAsync(h.Pods, SandboxHarness.Pod("kept", "sim/stuck"));
        dry.Should().Be(201);
        (code, pod) = await h.SendAsync(HttpMethod.Delete, $"{h.Pods}/kept?dryRun=All");
        pod.S("kind").Should().Be("Pod");
        h.Server.Objects.Get("pods", h.Ns, "kept").Should().NotBeNull();
    }

    [Fact]
    public async Task The_official_client_deletes_pods_gracefully_and_at_once()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        using var client = OfficialClient.For(h);
        foreach (var name in new[] { "graceful", "forced" })
        {
            await h.PostAsync(h.Pods, SandboxHarness.Pod(name, "sim/stuck"));
            await h.WaitForPodAsync($"app={name}", p => p.S("status", "phase") == "Running");
        }

        var terminating = await client.CoreV1.DeleteNamespacedPodAsync("graceful", h.Ns);
        terminating.Metadata.DeletionTimestamp.Should().NotBeNull();
        terminating.Metadata.DeletionGracePeriodSeconds.Should().Be(30);

        var forced = await client.CoreV1.DeleteNamespacedPodAsync("forced", h.Ns, gracePeriodSeconds: 0);
        forced.Metadata.Name.Should().Be("forced");
        forced.Metadata.DeletionGracePeriodSeconds.Should().Be(0);

        var status = await DeleteDeploymentAsync(h, client);
        status.Status.Should().Be("Success", "deployments have no ReturnDeletedObject: the apiserver answers a Status");
    }

    private static async Task<V1Status> DeleteDeploymentAsync(SandboxHarness h, k8s.Kubernetes client)
    {
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1"));
        return await client.AppsV1.DeleteNamespacedDeploymentAsync("d1", h.Ns);
    }

    [Fact]
    public async Task A_json_body_without_apiVersion_or_kind_takes_them_from_the_url()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        var bare = SandboxHarness.ConfigMap("bare");
        bare.Remove("apiVersion");
        bare.Remove("kind");
        var (code, created) = await h.PostAsync(h.ConfigMaps, bare);
        code.Should().Be(201, created?.ToJsonString());
        created.S("kind").Should().Be("ConfigMap");
        created.S("apiVersion").Should().Be("v1");

        var kindOnly = SandboxHarness.Deployment("d1");
        kindOnly.Remove("apiVersion");
        (code, created) = await h.PostAsync(h.Deployments, kindOnly);
        code.Should().Be(201, created?.ToJsonString());
        created.S("apiVersion").Should().Be("apps/v1");

        var replacement = created!.AsObject().DeepClone().AsObject();
        replacement.Remove("apiVersion");
        replacement.Remove("kind");
        replacement["metadata"]!.AsObject().Remove("resourceVersion");
        replacement["spec"]!["replicas"] = 3;
        var (putCode, replaced) = await h.SendAsync(HttpMethod.Put, $"{h.Deployments}/d1", replacement);
        putCode.Should().Be(200, replaced?.ToJsonString());
        replaced.S("kind").Should().Be("Deployment");
        replaced.S("spec", "replicas").Should().Be("3");
    }

    [Fact]
    public async Task A_body_naming_another_kind_or_version_than_the_url_is_a_bad_request()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        var (code, status) = await h.PostAsync(h.Pods, SandboxHarness.ConfigMap("c1"));
        code.Should().Be(400);
        status.S("kind").Should().Be("Status");
        status.S("reason").Should().Be("BadRequest");
        status.S("message").Should().Be("ConfigMap in version \"v1\" cannot be handled as a Pod: converting (v1.ConfigMap) to (core.Pod): unknown conversion");

        var oldVersion = SandboxHarness.Deployment("d1");
        oldVersion["apiVersion"] = "apps/v1beta1";
        (code, status) = await h.PostAsync(h.Deployments, oldVersion);
        code.Should().Be(400);
        status.S("message").Should().StartWith("Deployment in version \"v1beta1\" cannot be handled as a Deployment: no kind \"Deployment\" is registered for version \"apps/v1beta1\"");
        h.Server.Objects.List("deployments", h.Ns).Should().BeEmpty();
        h.Server.Objects.List("pods", h.Ns).Should().BeEmpty();
    }

    [Fact]
    public async Task The_official_client_creates_objects_without_type_meta_and_gets_400_for_a_wrong_kind()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        using var client = OfficialClient.For(h);
        var service = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "s1" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "x" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, h.Ns);
        service.Kind.Should().Be("Service");
        service.Spec.ClusterIP.Should().NotBeNullOrEmpty();

        var secret = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s1" }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, h.Ns);
        secret.Data["k"].Should().Equal("v"u8.ToArray());

        var wrong = () => client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { ApiVersion = "v1", Kind = "Secret", Metadata = new V1ObjectMeta { Name = "c1" } }, h.Ns);
        (await wrong.Should().ThrowAsync<k8s.Autorest.HttpOperationException>()).Which.Response.StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Version_answers_with_and_without_a_trailing_slash_and_the_official_client_reads_it()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        foreach (var path in new[] { "/version", "/version/" })
        {
            using var response = await h.Anonymous.GetAsync(path);
            response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
            var version = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            version.S("major").Should().Be("1");
            version.S("minor").Should().MatchRegex("^[0-9]+$");
            version.S("gitVersion").Should().StartWith($"v{version.S("major")}.{version.S("minor")}.");
            version.S("platform").Should().Be("linux/amd64");
            foreach (var field in new[] { "gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler" })
            {
                version.S(field).Should().NotBeNullOrEmpty(field);
            }
        }

        using var client = OfficialClient.For(h);
        var code = await client.Version.GetCodeAsync();
        code.Major.Should().Be("1");
        code.GitVersion.Should().StartWith("v1.");
        code.Platform.Should().Be("linux/amd64");
    }

    /// <summary>What kubectl 1.32 sends for <c>kubectl create secret generic s1 --from-literal=k=v</c> (captured with -v=9).</summary>
    private static readonly byte[] KubectlSecretProtobuf = Convert.FromHexString(
        "6b3873000a0c0a0276311206536563726574121e0a120a02733112001a0022002a0032003800420012060a016b1201761a001a002200");

    [Fact]
    public async Task A_protobuf_create_is_decoded_like_the_json_one()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        using var content = new ByteArrayContent(KubectlSecretProtobuf);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");
        using var response = await h.Http.PostAsync($"{h.Secrets}?fieldManager=kubectl-create&fieldValidation=Strict", content);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        ((int)response.StatusCode).Should().Be(201, created?.ToJsonString());
        created.S("kind").Should().Be("Secret");
        created.S("metadata", "name").Should().Be("s1");
        created.S("metadata", "namespace").Should().Be(h.Ns);
        created.S("metadata", "generateName").Should().BeNull("gogo-protobuf writes empty strings, JSON omits them");
        created.S("data", "k").Should().Be("dg==");
        created.S("type").Should().Be("Opaque");

        using var wrongUrl = new ByteArrayContent(KubectlSecretProtobuf);
        wrongUrl.Headers.ContentType = content.Headers.ContentType;
        using var mismatch = await h.Http.PostAsync(h.ConfigMaps, wrongUrl);
        ((int)mismatch.StatusCode).Should().Be(400);
    }

    [Fact]
    public async Task A_deployment_serves_its_scale_subresource()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1", "sim/stuck"));
        var (code, scale) = await h.GetAsync($"{h.Deployments}/d1/scale");
        code.Should().Be(200);
        scale.S("apiVersion").Should().Be("autoscaling/v1");
        scale.S("kind").Should().Be("Scale");
        scale.S("spec", "replicas").Should().Be("1");
        scale.S("status", "selector").Should().Be("app=d1,component=flame-analysis");

        using var client = OfficialClient.For(h);
        var patched = await client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), "d1", h.Ns);
        patched.Spec.Replicas.Should().Be(2);
        await DeletionTests.WaitUntilAsync(() => h.Server.Objects.List("pods", h.Ns, "app=d1").Count == 2);

        var read = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("d1", h.Ns);
        read.Spec.Replicas = 0;
        (await client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(read, "d1", h.Ns)).Spec.Replicas.Should().Be(0);
        h.Server.Objects.Get("deployments", h.Ns, "d1")!["spec"]!["replicas"]!.GetValue<int>().Should().Be(0);

        var (invalid, status) = await h.SendAsync(HttpMethod.Patch, $"{h.Deployments}/d1/scale", JsonNode.Parse("""{"spec":{"replicas":-1}}"""), "application/merge-patch+json");
        invalid.Should().Be(422);
        status.S("message").Should().Be("Scale.autoscaling \"d1\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    }
}
