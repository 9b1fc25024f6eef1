using System.Text;
using System.Text.Json.Nodes;
using Flame.Po.Kubernetes.Tests.Deploy.Support;
using Flame.Po.Kubernetes.Tests.Support;

namespace Flame.Po.Kubernetes.Tests.Deploy;

/// <summary>
/// Every overlay of deploy/ renders with kustomize; every rendered Kubernetes object passes the
/// kubernetes-models validator and our strict checks; the Dapr resources pass the Dapr schema checks.
/// </summary>
public sealed class KustomizeOverlayTests
{
    public static TheoryData<string> Overlays => [.. Kustomize.Overlays];

    [Fact]
    public void There_is_a_dev_and_a_production_overlay() =>
        Kustomize.Overlays.Should().Contain(["dev", "production"]);

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_kubernetes_object_passes_the_kubernetes_models_validator(string overlay)
    {
        var yaml = await Kustomize.RenderOverlayAsync(overlay);

        var results = await KubernetesModelsValidator.ValidateAsync(yaml);

        var kubernetes = results.Where(r => r.ApiVersion?.StartsWith("dapr.io/", StringComparison.Ordinal) != true).ToList();
        kubernetes.Select(r => r.Kind).Should().Contain(["Namespace", "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service", "NetworkPolicy", "ConfigMap"]);
        kubernetes.Where(r => !r.Valid).Select(r => $"{r.Kind}/{r.Name}: {string.Join("; ", r.Errors)}").Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_kubernetes_object_passes_our_strict_checks(string overlay)
    {
        var objects = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync(overlay));

        var problems = DeployManifestChecks.Check(objects, DeployManifestChecks.DocumentedSettings());

        problems.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_dapr_resource_passes_the_dapr_schema_checks(string overlay)
    {
        var objects = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync(overlay));

        var dapr = objects.Where(o => !IsKubernetes(o)).ToList();

        dapr.Select(DaprResourceChecks.Name).Should().BeEquivalentTo(["statestore", "pubsub", "pubsub-replicas", "status-loop", "po-resiliency", "po-config", "po-config-api"]);
        DaprResourceChecks.Check(dapr, DeployManifestChecks.AppIds).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Three_deployments_of_one_image_each_with_its_app_id_and_target(string overlay)
    {
        var objects = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync(overlay));

        var apps = DeployManifestChecks.OfKind(objects, "Deployment").Select(d => (
            AppId: d["spec"]!["template"]!["metadata"]!["annotations"]!["dapr.io/app-id"]!.GetValue<string>(),
            Config: d["spec"]!["template"]!["metadata"]!["annotations"]!["dapr.io/config"]!.GetValue<string>(),
            Image: d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>())).ToList();

        apps.Select(a => a.AppId).Should().BeEquivalentTo(DeployManifestChecks.AppIds);
        apps.Select(a => a.Image).Distinct().Should().ContainSingle();
        apps.Single(a => a.AppId == "api").Config.Should().Be("po-config-api", "only the Hub adapter may invoke the api");
        apps.Where(a => a.AppId != "api").Select(a => a.Config).Should().AllBe("po-config", "only the api may invoke lifecycle and logging");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Access_control_policies_name_the_namespace_the_apps_run_in(string overlay)
    {
        var objects = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync(overlay));
        var ns = DeployManifestChecks.OfKind(objects, "Namespace").Single()["metadata"]!["name"]!.GetValue<string>();

        var policies = DeployManifestChecks.OfKind(objects, "Configuration")
            .SelectMany(c => c["spec"]!["accessControl"]!["policies"]!.AsArray()).ToList();

        policies.Should().NotBeEmpty();
        policies.Select(p => p!["namespace"]!.GetValue<string>()).Should().AllBe(ns, "Dapr matches callers by app-id and namespace");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Only_the_lifecycle_can_reach_the_kubernetes_api(string overlay)
    {
        var objects = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync(overlay));

        var bound = DeployManifestChecks.OfKind(objects, "RoleBinding").Single()["subjects"]!.AsArray()
            .Select(s => s!["name"]!.GetValue<string>()).ToList();
        var withToken = DeployManifestChecks.OfKind(objects, "Deployment")
            .Where(d => d["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Any(v => v!["projected"]?["sources"]?.AsArray().Any(s => s!["serviceAccountToken"] is not null) == true))
            .Select(d => (App: d["spec"]!["template"]!["metadata"]!["annotations"]!["dapr.io/app-id"]!.GetValue<string>(), Account: d["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>()))
            .ToList();

        withToken.Should().ContainSingle().Which.App.Should().Be("lifecycle");
        bound.Should().Equal(withToken[0].Account);
    }

    [Fact]
    public async Task The_dev_overlay_generates_only_placeholder_secrets_and_production_none()
    {
        var dev = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync("dev"));
        var production = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync("production"));

        var values = DeployManifestChecks.OfKind(dev, "Secret")
            .SelectMany(s => s["data"]!.AsObject().Select(p => Encoding.UTF8.GetString(Convert.FromBase64String(p.Value!.GetValue<string>().Replace("\n", "", StringComparison.Ordinal)))))
            .ToList();

        values.Should().NotBeEmpty().And.OnlyContain(v => v.Contains("change-me", StringComparison.Ordinal) || v.Contains("placeholder", StringComparison.Ordinal) || v == "flame_po");
        DeployManifestChecks.OfKind(production, "Secret").Should().BeEmpty("production secrets are created in the cluster, never kept in the repository");
    }

    [Fact]
    public async Task The_strict_checks_catch_a_broken_po_manifest()
    {
        var objects = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync("dev"));
        var lifecycle = objects.Single(o => DeployManifestChecks.Name(o) == "flame-po-lifecycle" && DeployManifestChecks.Kind(o) == "Deployment");
        var pod = lifecycle["spec"]!["template"]!["spec"]!.AsObject();
        var container = pod["containers"]![0]!.AsObject();
        container.Remove("readinessProbe");
        container["env"]!.AsArray().Add(new JsonObject { ["name"] = "POSTGRES_PASSWORD", ["value"] = "plain" });
        container["env"]!.AsArray().Add(new JsonObject { ["name"] = "UNDOCUMENTED_SETTING", ["value"] = "x" });
        container["securityContext"]!["readOnlyRootFilesystem"] = false;
        pod["hostNetwork"] = true;
        lifecycle["spec"]!["template"]!["metadata"]!["labels"]!.AsObject().Remove("component");
        lifecycle["spec"]!["template"]!["metadata"]!["annotations"]!.AsObject().Remove("dapr.io/app-token-secret");
        objects.Single(o => DeployManifestChecks.Kind(o) == "Service")["metadata"]!["labels"]!.AsObject().Remove("component");

        var problems = DeployManifestChecks.Check(objects, DeployManifestChecks.DocumentedSettings());

        problems.Should().Contain(p => p.Contains("readinessProbe", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("POSTGRES_PASSWORD must come from a secretKeyRef", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("UNDOCUMENTED_SETTING is not documented", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("readOnlyRootFilesystem", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("hostNetwork", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("Deployment/flame-po-lifecycle: the pods must carry component=flame-po", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("dapr.io/app-token-secret is missing", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("Service/flame-po: the PO Service must carry component=flame-po", StringComparison.Ordinal));
    }

    private static bool IsKubernetes(JsonObject o) => o["apiVersion"]?.GetValue<string>()?.StartsWith("dapr.io/", StringComparison.Ordinal) != true;
}
