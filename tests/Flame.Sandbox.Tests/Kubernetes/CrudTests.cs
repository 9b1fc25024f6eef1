using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Kubernetes;

public sealed class CrudTests
{
    [Fact]
    public async Task Create_answers_201_with_server_metadata_and_get_returns_it()
    {
        await using var h = await SandboxHarness.StartAsync();
        var (code, created) = await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1"));
        code.Should().Be(201);
        created.S("metadata", "uid").Should().MatchRegex("^[0-9a-f-]{36}$");
        created.S("metadata", "resourceVersion").Should().NotBeNullOrEmpty();
        created.S("metadata", "creationTimestamp").Should().EndWith("Z");
        created.S("metadata", "generation").Should().Be("1");
        created.S("metadata", "namespace").Should().Be("flame");
        created.S("spec", "strategy", "type").Should().Be("RollingUpdate");
        created.S("spec", "template", "spec", "restartPolicy").Should().Be("Always");

        var (getCode, fetched) = await h.GetAsync($"{h.Deployments}/d1");
        getCode.Should().Be(200);
        fetched.S("metadata", "uid").Should().Be(created.S("metadata", "uid"));
    }

    [Fact]
    public async Task Not_found_and_already_exists_use_apiserver_status_bodies()
    {
        await using var h = await SandboxHarness.StartAsync();
        var (code, body) = await h.GetAsync($"{h.Deployments}/missing");
        code.Should().Be(404);
        JsonNode.DeepEquals(body, JsonNode.Parse("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"missing\" not found","reason":"NotFound","details":{"name":"missing","group":"apps","kind":"deployments"},"code":404}
            """)).Should().BeTrue(body!.ToJsonString());

        (await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1"))).Code.Should().Be(201);
        var (dup, dupBody) = await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1"));
        dup.Should().Be(409);
        dupBody.S("reason").Should().Be("AlreadyExists");
        dupBody.S("message").Should().Be("configmaps \"c1\" already exists");
        dupBody.S("details", "kind").Should().Be("configmaps");
    }

    [Fact]
    public async Task Invalid_objects_answer_422_with_causes()
    {
        await using var h = await SandboxHarness.StartAsync();
        var noSelector = SandboxHarness.Deployment("d1");
        noSelector["spec"]!.AsObject().Remove("selector");
        var (code, body) = await h.PostAsync(h.Deployments, noSelector);
        code.Should().Be(422);
        body.S("reason").Should().Be("Invalid");
        body.S("message").Should().Be("Deployment.apps \"d1\" is invalid: spec.selector: Required value");
        body!["details"]!["causes"]![0]!.S("field").Should().Be("spec.selector");
        body["details"]!["causes"]![0]!.S("reason").Should().Be("FieldValueRequired");

        var badService = SandboxHarness.Service("1-starts-with-digit", "x");
        (await h.PostAsync(h.Services, badService)).Code.Should().Be(422);

        var mismatch = SandboxHarness.Deployment("d2");
        mismatch["spec"]!["template"]!["metadata"]!["labels"]!["app"] = "other";
        (await h.PostAsync(h.Deployments, mismatch)).Body.S("details", "causes", "0", "message").Should().Contain("`selector` does not match template `labels`");

        var noImage = SandboxHarness.Pod("p1", "");
        (await h.PostAsync(h.Pods, noImage)).Body.S("details", "causes").Should().Contain("spec.containers[0].image");

        var badLabel = SandboxHarness.ConfigMap("c1", new Dictionary<string, string> { ["app"] = "-bad-" });
        (await h.PostAsync(h.ConfigMaps, badLabel)).Code.Should().Be(422);
    }

    [Fact]
    public async Task Secrets_check_dockerconfigjson_and_merge_string_data()
    {
        await using var h = await SandboxHarness.StartAsync();
        var bad = JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"pull"},"type":"kubernetes.io/dockerconfigjson","stringData":{".dockerconfigjson":"not json"}}""")!;
        var (code, body) = await h.PostAsync(h.Secrets, bad);
        code.Should().Be(422);
        body.S("details", "causes").Should().Contain("data[.dockerconfigjson]");

        var good = JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"pull"},"type":"kubernetes.io/dockerconfigjson","stringData":{".dockerconfigjson":"{\"auths\":{}}"}}""")!;
        var (okCode, stored) = await h.PostAsync(h.Secrets, good);
        okCode.Should().Be(201);
        stored!["stringData"].Should().BeNull();
        stored.S("data", ".dockerconfigjson").Should().Be(Convert.ToBase64String("{\"auths\":{}}"u8.ToArray()));
    }

    [Fact]
    public async Task Create_checks_namespace_kind_and_fills_generate_name_and_service_defaults()
    {
        await using var h = await SandboxHarness.StartAsync();
        (await h.PostAsync("/api/v1/namespaces/nope/configmaps", SandboxHarness.ConfigMap("c"))).Body.S("message").Should().Be("namespaces \"nope\" not found");

        var wrongNs = SandboxHarness.ConfigMap("c");
        wrongNs["metadata"]!["namespace"] = "default";
        (await h.PostAsync(h.ConfigMaps, wrongNs)).Code.Should().Be(400);
        (await h.PostAsync(h.ConfigMaps, SandboxHarness.Service("s", "x"))).Code.Should().Be(400);

        var generated = SandboxHarness.ConfigMap("");
        generated["metadata"]!.AsObject().Remove("name");
        generated["metadata"]!["generateName"] = "analysis-";
        var (code, body) = await h.PostAsync(h.ConfigMaps, generated);
        code.Should().Be(201);
        body.S("metadata", "name").Should().MatchRegex("^analysis-[bcdfghjklmnpqrstvwxz2456789]{5}$");

        var (_, service) = await h.PostAsync(h.Services, SandboxHarness.Service("nginx-x", "x"));
        service.S("spec", "type").Should().Be("ClusterIP");
        service.S("spec", "clusterIP").Should().StartWith("10.96.");

        var (dryCode, _) = await h.PostAsync(h.ConfigMaps + "?dryRun=All", SandboxHarness.ConfigMap("dry"));
        dryCode.Should().Be(201);
        (await h.GetAsync(h.ConfigMaps + "/dry")).Code.Should().Be(404);
    }

    [Fact]
    public async Task Update_with_stale_resource_version_conflicts_and_without_is_unconditional()
    {
        await using var h = await SandboxHarness.StartAsync();
        var (_, created) = await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1"));
        var stale = created!.DeepClone();
        var first = created.DeepClone();
        first["data"]!["k"] = "2";
        var (code, updated) = await h.SendAsync(HttpMethod.Put, $"{h.ConfigMaps}/c1", first);
        code.Should().Be(200);
        updated.S("metadata", "resourceVersion").Should().NotBe(created.S("metadata", "resourceVersion"));

        stale["data"]!["k"] = "3";
        var (conflict, body) = await h.SendAsync(HttpMethod.Put, $"{h.ConfigMaps}/c1", stale);
        conflict.Should().Be(409);
        body.S("reason").Should().Be("Conflict");
        body.S("message").Should().Be("Operation cannot be fulfilled on configmaps \"c1\": the object has been modified; please apply your changes to the latest version and try again");

        stale["metadata"]!.AsObject().Remove("resourceVersion");
        var unconditional = await h.SendAsync(HttpMethod.Put, $"{h.ConfigMaps}/c1", stale);
        unconditional.Code.Should().Be(200);
        unconditional.Body.S("data", "k").Should().Be("3");
    }

    [Fact]
    public async Task Spec_changes_bump_the_generation_and_the_selector_is_immutable()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1"));
        var (code, patched) = await h.SendAsync(HttpMethod.Patch, $"{h.Deployments}/d1", JsonNode.Parse("""{"spec":{"replicas":2}}"""), "application/merge-patch+json");
        code.Should().Be(200);
        patched.S("metadata", "generation").Should().Be("2");
        (await h.SendAsync(HttpMethod.Patch, $"{h.Deployments}/d1", JsonNode.Parse("""{"metadata":{"labels":{"x":"y"}}}"""), "application/merge-patch+json")).Body.S("metadata", "generation").Should().Be("2");

        var immutable = (await h.GetAsync($"{h.Deployments}/d1")).Body!;
        immutable["metadata"]!.AsObject().Remove("resourceVersion");
        immutable["spec"]!["selector"]!["matchLabels"]!["extra"] = "x";
        immutable["spec"]!["template"]!["metadata"]!["labels"]!["extra"] = "x";
        var (invalid, body) = await h.SendAsync(HttpMethod.Put, $"{h.Deployments}/d1", immutable);
        invalid.Should().Be(422);
        body.S("message").Should().Contain("field is immutable");
    }

    [Fact]
    public async Task Patch_supports_merge_strategic_and_json_patch()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("d1"));
        var merge = await h.SendAsync(HttpMethod.Patch, $"{h.Deployments}/d1", JsonNode.Parse("""{"metadata":{"labels":{"extra":"1"}}}"""), "application/merge-patch+json");
        merge.Code.Should().Be(200);
        merge.Body.S("metadata", "labels", "extra").Should().Be("1");

        var strategic = await h.SendAsync(HttpMethod.Patch, $"{h.Deployments}/d1", JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"d1","image":"sim/stuck"}]}}}}"""), "application/strategic-merge-patch+json");
        strategic.Code.Should().Be(200);
        var container = strategic.Body!["spec"]!["template"]!["spec"]!["containers"]![0]!;
        container.S("image").Should().Be("sim/stuck");
        container["env"]!.AsArray().Should().HaveCount(2, "strategic merge keeps the other fields of the container merged by name");

        var jsonPatch = await h.SendAsync(HttpMethod.Patch, $"{h.Deployments}/d1", JsonNode.Parse("""[{"op":"replace","path":"/spec/replicas","value":0}]"""), "application/json-patch+json");
        jsonPatch.Body.S("spec", "replicas").Should().Be("0");

        (await h.SendAsync(HttpMethod.Patch, $"{h.Deployments}/d1", JsonNode.Parse("{}"), "text/plain")).Code.Should().Be(415);
        (await h.SendAsync(HttpMethod.Patch, $"{h.Deployments}/missing", JsonNode.Parse("{}"), "application/merge-patch+json")).Code.Should().Be(404);

        var apply = await h.SendAsync(HttpMethod.Patch, $"{h.ConfigMaps}/applied?fieldManager=po", SandboxHarness.ConfigMap("applied"), "application/apply-patch+yaml");
        apply.Code.Should().Be(201);
        (await h.SendAsync(HttpMethod.Patch, $"{h.ConfigMaps}/applied", SandboxHarness.ConfigMap("applied"), "application/apply-patch+yaml")).Code.Should().Be(422);
    }

    [Fact]
    public async Task Requests_without_the_bearer_token_are_401()
    {
        await using var h = await SandboxHarness.StartAsync();
        var response = await h.Anonymous.GetAsync($"/api/v1/namespaces/{h.Ns}/pods");
        ((int)response.StatusCode).Should().Be(401);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        body.S("reason").Should().Be("Unauthorized");
        body.S("kind").Should().Be("Status");
        ((int)(await h.Anonymous.GetAsync("/version")).StatusCode).Should().Be(200);
        (await h.GetAsync("/api/v1/namespaces/flame/widgets")).Code.Should().Be(404);
    }

    [Fact]
    public async Task Each_create_raises_Created_with_name_labels_and_a_timestamp_but_updates_do_not()
    {
        await using var h = await SandboxHarness.StartAsync();
        var seen = new List<Flame.Sandbox.Kubernetes.ObjectCreated>();
        h.Server.Objects.Created += e =>
        {
            lock (seen)
            {
                seen.Add(e);
            }
        };
        var before = System.Diagnostics.Stopwatch.GetTimestamp();

        (await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1", new Dictionary<string, string> { ["app"] = "x" }))).Code.Should().Be(201);
        (await h.SendAsync(HttpMethod.Patch, $"{h.ConfigMaps}/c1", JsonNode.Parse("""{"data":{"k":"w"}}"""), "application/merge-patch+json")).Code.Should().Be(200);

        lock (seen)
        {
            seen.Should().ContainSingle();
            seen[0].Plural.Should().Be("configmaps");
            seen[0].Namespace.Should().Be(h.Ns);
            seen[0].Name.Should().Be("c1");
            seen[0].Labels.Should().Contain("app", "x");
            seen[0].Timestamp.Should().BeGreaterThan(before);
        }
    }
}
