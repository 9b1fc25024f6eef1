using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Kubernetes;

public sealed class ListTests
{
    private static async Task SeedAsync(SandboxHarness h)
    {
        for (var i = 0; i < 5; i++)
        {
            var labels = new Dictionary<string, string> { ["app"] = $"a{i}", ["tier"] = i % 2 == 0 ? "even" : "odd" };
            (await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap($"cm-{i}", labels))).Code.Should().Be(201);
        }
    }

    private static List<string> Names(JsonNode? list) => list!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Label_and_field_selectors_filter_and_bad_ones_are_400()
    {
        await using var h = await SandboxHarness.StartAsync();
        await SeedAsync(h);
        var (code, list) = await h.GetAsync($"{h.ConfigMaps}?labelSelector={Uri.EscapeDataString("tier=even,app!=a0")}");
        code.Should().Be(200);
        list.S("kind").Should().Be("ConfigMapList");
        list.S("apiVersion").Should().Be("v1");
        list.S("metadata", "resourceVersion").Should().NotBeNullOrEmpty();
        Names(list).Should().Equal("cm-2", "cm-4");
        list!["items"]![0]!["kind"].Should().BeNull("list items carry no kind on the wire");

        Names((await h.GetAsync($"{h.ConfigMaps}?labelSelector={Uri.EscapeDataString("app in (a1,a3),tier")}")).Body).Should().Equal("cm-1", "cm-3");
        Names((await h.GetAsync($"{h.ConfigMaps}?labelSelector={Uri.EscapeDataString("app notin (a1),!missing")}")).Body).Should().HaveCount(4);
        Names((await h.GetAsync($"{h.ConfigMaps}?fieldSelector={Uri.EscapeDataString("metadata.name=cm-3")}")).Body).Should().Equal("cm-3");
        Names((await h.GetAsync($"/api/v1/configmaps?fieldSelector={Uri.EscapeDataString("metadata.namespace!=flame")}")).Body).Should().BeEmpty();

        var (badLabel, badLabelBody) = await h.GetAsync($"{h.ConfigMaps}?labelSelector={Uri.EscapeDataString("app in (a1")}");
        badLabel.Should().Be(400);
        badLabelBody.S("reason").Should().Be("BadRequest");
        (await h.GetAsync($"{h.ConfigMaps}?labelSelector={Uri.EscapeDataString("-bad-=x")}")).Code.Should().Be(400);
        var (badField, badFieldBody) = await h.GetAsync($"{h.ConfigMaps}?fieldSelector={Uri.EscapeDataString("spec.nodeName=x")}");
        badField.Should().Be(400);
        badFieldBody.S("message").Should().Be("field label not supported: spec.nodeName");
        (await h.GetAsync($"{h.Pods}?fieldSelector={Uri.EscapeDataString("status.phase=Running")}")).Code.Should().Be(200);
    }

    [Fact]
    public async Task Metadata_only_reads_answer_partial_object_metadata_without_data()
    {
        await using var h = await SandboxHarness.StartAsync();
        await SeedAsync(h);

        using var listRequest = new HttpRequestMessage(HttpMethod.Get, $"{h.ConfigMaps}?labelSelector=tier%3Deven");
        listRequest.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
        using var listResponse = await h.Http.SendAsync(listRequest);
        var list = JsonNode.Parse(await listResponse.Content.ReadAsStringAsync());

        ((int)listResponse.StatusCode).Should().Be(200);
        list.S("kind").Should().Be("PartialObjectMetadataList");
        list.S("apiVersion").Should().Be("meta.k8s.io/v1");
        list.S("metadata", "resourceVersion").Should().NotBeNullOrEmpty();
        Names(list).Should().Equal("cm-0", "cm-2", "cm-4");
        foreach (var item in list!["items"]!.AsArray())
        {
            item.S("kind").Should().Be("PartialObjectMetadata");
            item!["metadata"]!["labels"]!["tier"]!.GetValue<string>().Should().Be("even");
            item.AsObject().Select(p => p.Key).Should().BeEquivalentTo(["kind", "apiVersion", "metadata"], "only the metadata is sent");
        }

        using var getRequest = new HttpRequestMessage(HttpMethod.Get, $"{h.ConfigMaps}/cm-1");
        getRequest.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
        using var getResponse = await h.Http.SendAsync(getRequest);
        var one = JsonNode.Parse(await getResponse.Content.ReadAsStringAsync());
        one.S("kind").Should().Be("PartialObjectMetadata");
        one.S("metadata", "name").Should().Be("cm-1");
        one!["data"].Should().BeNull();

        (await h.GetAsync(h.ConfigMaps)).Body.S("kind").Should().Be("ConfigMapList", "without the header the list is the full one");
    }

    [Fact]
    public async Task Limit_and_continue_page_through_a_snapshot_and_expired_tokens_are_410()
    {
        await using var h = await SandboxHarness.StartAsync();
        await SeedAsync(h);
        var (_, first) = await h.GetAsync($"{h.ConfigMaps}?limit=2");
        Names(first).Should().Equal("cm-0", "cm-1");
        first.S("metadata", "remainingItemCount").Should().Be("3");
        var token = first.S("metadata", "continue")!;

        (await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("cm-00"))).Code.Should().Be(201);
        var (_, second) = await h.GetAsync($"{h.ConfigMaps}?limit=2&continue={Uri.EscapeDataString(token)}");
        Names(second).Should().Equal("cm-2", "cm-3");
        second.S("metadata", "resourceVersion").Should().Be(first.S("metadata", "resourceVersion"), "pages come from one snapshot");
        var (_, third) = await h.GetAsync($"{h.ConfigMaps}?limit=2&continue={Uri.EscapeDataString(second.S("metadata", "continue")!)}");
        Names(third).Should().Equal("cm-4");
        third!["metadata"]!["continue"].Should().BeNull();

        h.Server.Objects.ExpireContinueTokens();
        var (gone, goneBody) = await h.GetAsync($"{h.ConfigMaps}?limit=2&continue={Uri.EscapeDataString(token)}");
        gone.Should().Be(410);
        goneBody.S("reason").Should().Be("Expired");
        (await h.GetAsync($"{h.ConfigMaps}?limit=2&continue=garbage")).Code.Should().Be(400);
    }

    [Fact]
    public async Task Discovery_documents_list_the_served_resources()
    {
        await using var h = await SandboxHarness.StartAsync();
        (await h.GetAsync("/api")).Body.S("versions").Should().Contain("v1");
        (await h.GetAsync("/apis")).Body.S("groups").Should().Contain("apps/v1").And.Contain("networking.k8s.io/v1");
        (await h.GetAsync("/api/v1")).Body.S("resources").Should().Contain("\"pods/log\"").And.Contain("\"services/proxy\"");
        (await h.GetAsync("/apis/networking.k8s.io/v1")).Body.S("resources").Should().Contain("networkpolicies");
        var policy = JsonNode.Parse("""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"nginx-to-d-policy"},"spec":{"podSelector":{"matchLabels":{"app":"d"}},"egress":[{}]}}""")!;
        var (code, stored) = await h.PostAsync($"/apis/networking.k8s.io/v1/namespaces/{h.Ns}/networkpolicies", policy);
        code.Should().Be(201);
        stored.S("spec", "policyTypes").Should().Be("""["Ingress","Egress"]""");
    }
}
