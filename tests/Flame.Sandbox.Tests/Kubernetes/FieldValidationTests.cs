using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

using k8s;
using k8s.Models;

namespace Flame.Sandbox.Tests.Kubernetes;

/// <summary>The fieldValidation directive of writes: Strict refuses unknown fields, Warn (the default) and Ignore drop them.</summary>
public sealed class FieldValidationTests
{
    private static SandboxOptions Options => new() { TimeScale = 0.001, SeedNodeServices = false };

    [Fact]
    public async Task Strict_refuses_unknown_fields_warn_drops_and_reports_them_ignore_drops_them()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        static JsonObject Typo(string name)
        {
            var configMap = SandboxHarness.ConfigMap(name);
            configMap["dataa"] = new JsonObject { ["k"] = "v" };
            configMap["metadata"]!["labelz"] = new JsonObject();
            return configMap;
        }

        var (code, status) = await h.PostAsync($"{h.ConfigMaps}?fieldValidation=Strict", Typo("strict"));
        code.Should().Be(400);
        status.S("reason").Should().Be("BadRequest");
        status.S("message").Should().Be("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"metadata.labelz\", unknown field \"dataa\"");
        h.Server.Objects.Get("configmaps", h.Ns, "strict").Should().BeNull();

        using (var request = new HttpRequestMessage(HttpMethod.Post, h.ConfigMaps) { Content = Typo("warned").AsContent() })
        using (var response = await h.Http.SendAsync(request))
        {
            ((int)response.StatusCode).Should().Be(201, "Warn is the default");
            response.Headers.GetValues("Warning").Should().Equal("299 - \"unknown field \\\"metadata.labelz\\\"\"", "299 - \"unknown field \\\"dataa\\\"\"");
        }

        var warned = h.Server.Objects.Get("configmaps", h.Ns, "warned")!;
        warned["dataa"].Should().BeNull();
        warned["metadata"]!["labelz"].Should().BeNull();

        using (var request = new HttpRequestMessage(HttpMethod.Post, $"{h.ConfigMaps}?fieldValidation=Ignore") { Content = Typo("ignored").AsContent() })
        using (var response = await h.Http.SendAsync(request))
        {
            ((int)response.StatusCode).Should().Be(201);
            response.Headers.Contains("Warning").Should().BeFalse();
        }

        h.Server.Objects.Get("configmaps", h.Ns, "ignored")!["dataa"].Should().BeNull();

        var (invalid, unsupported) = await h.PostAsync($"{h.ConfigMaps}?fieldValidation=Loose", SandboxHarness.ConfigMap("c1"));
        invalid.Should().Be(422);
        unsupported.S("message").Should().Be("CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Loose\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"");
    }

    [Fact]
    public async Task A_strict_patch_adding_an_unknown_field_is_invalid()
    {
        await using var h = await SandboxHarness.StartAsync(Options);
        await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1"));
        var (code, status) = await h.SendAsync(HttpMethod.Patch, $"{h.ConfigMaps}/c1?fieldValidation=Strict", JsonNode.Parse("""{"dataa":{"x":"y"}}"""), "application/merge-patch+json");
        code.Should().Be(422);
        status.S("reason").Should().Be("Invalid");
        status.S("message").Should().StartWith(" \"\" is invalid: patch: Invalid value: \"{").And.EndWith("strict decoding error: unknown field \"dataa\"");
        status.S("details", "causes", "0", "field").Should().Be("patch");

        (code, status) = await h.SendAsync(HttpMethod.Patch, $"{h.ConfigMaps}/c1?fieldValidation=Strict", JsonNode.Parse("""{"dataa":{"x":"y"}}"""), "application/strategic-merge-patch+json");
        code.Should().Be(422);
        status.S("message").Should().Be(" \"\" is invalid: patch: Invalid value: \"map[dataa:map[x:y]]\": strict decoding error: unknown field \"dataa\"");

        using var client = OfficialClient.For(h);
        var patch = new V1Patch("""{"data":{"k":"w"},"dataa":{"x":"y"}}""", V1Patch.PatchType.MergePatch);
        var strict = () => client.CoreV1.PatchNamespacedConfigMapAsync(patch, "c1", h.Ns, fieldValidation: "Strict");
        (await strict.Should().ThrowAsync<k8s.Autorest.HttpOperationException>()).Which.Response.StatusCode.Should().Be(System.Net.HttpStatusCode.UnprocessableEntity);
        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(patch, "c1", h.Ns, fieldValidation: "Ignore");
        patched.Data["k"].Should().Be("w");
    }
}
