using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Kubernetes;

/// <summary>The OpenAPI v3 documents kubectl reads before it trusts the server with field validation and computes apply patches.</summary>
public sealed class OpenApiTests
{
    private static SandboxOptions Options => new() { TimeScale = 0.001, SeedNodeServices = false };

    [Fact]
    public async Task Openapi_v3_describes_every_served_kind_with_field_validation_on_patch()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        var (code, index) = await h.GetAsync("/openapi/v3");
        code.Should().Be(200);
        index!["paths"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("api/v1", "apis/apps/v1", "apis/networking.k8s.io/v1");
        var kinds = new List<string>();
        foreach (var (_, entry) in index["paths"]!.AsObject())
        {
            var url = entry.S("serverRelativeURL")!;
            url.Should().MatchRegex("^/openapi/v3/.+\\?hash=[0-9A-F]+$");
            var (docCode, document) = await h.GetAsync(url);
            docCode.Should().Be(200, url);
            document.S("openapi").Should().StartWith("3.");
            var patches = document!["paths"]!.AsObject().Select(p => p.Value!["patch"]).OfType<JsonObject>().Where(p => p.S("x-kubernetes-action") == "patch" && p["x-kubernetes-group-version-kind"].S("kind") != "Scale").ToList();
            patches.Should().NotBeEmpty();
            foreach (var patch in patches)
            {
                patch["parameters"]!.AsArray().Should().Contain(p => p!["name"]!.GetValue<string>() == "fieldValidation" && p["in"]!.GetValue<string>() == "query");
                patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key).Should().Contain("application/strategic-merge-patch+json");
                kinds.Add(patch["x-kubernetes-group-version-kind"].S("kind")!);
            }

            foreach (var (name, schema) in document["components"]!["schemas"]!.AsObject())
            {
                foreach (var reference in schema!.ToJsonString().Split("\"$ref\":\"#/components/schemas/").Skip(1).Select(r => r[..r.IndexOf('"', StringComparison.Ordinal)]))
                {
                    document["components"]!["schemas"]![reference].Should().NotBeNull($"{name} refers to {reference}");
                }
            }
        }

        kinds.Should().Contain(["Pod", "Service", "ConfigMap", "Secret", "Namespace", "Deployment", "NetworkPolicy"]);
        var (_, apps) = await h.GetAsync(index["paths"]!["apis/apps/v1"].S("serverRelativeURL")!);
        var containers = apps!["components"]!["schemas"]!["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        containers.S("x-kubernetes-patch-merge-key").Should().Be("name");
        apps["components"]!["schemas"]!["io.k8s.api.apps.v1.Deployment"]!["x-kubernetes-group-version-kind"]![0].S("kind").Should().Be("Deployment");
        (await h.Anonymous.GetAsync("/openapi/v3")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
    }
}
