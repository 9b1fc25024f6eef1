using System.Text.Json.Nodes;

using Flame.Po.Kubernetes.Tests.Support;

namespace Flame.Po.Kubernetes.Tests.Manifests;

/// <summary>The checks must be able to fail: each deliberately broken manifest is caught.</summary>
public sealed class BrokenManifestTests
{
    public static TheoryData<string, string, string> StrictBreakages() => new()
    {
        // kind to break, JSON path edit, expected problem fragment
        { "Deployment", "unknown-field", "unknown field .spec.template.spec.containers[0].imagee" },
        { "Deployment", "upper-case-name", "is not a valid Deployment name" },
        { "Deployment", "selector-mismatch", "spec.selector.matchLabels must be a non-empty subset" },
        { "Deployment", "no-seccomp", "seccompProfile.type must be RuntimeDefault or Localhost" },
        { "Deployment", "privilege-escalation", "allowPrivilegeEscalation must be false" },
        { "Deployment", "no-drop-all", "capabilities.drop must contain ALL" },
        { "Deployment", "run-as-root", "runAsNonRoot must be true" },
        { "Deployment", "service-account-token", "automountServiceAccountToken must be false" },
        { "Deployment", "host-path", "must be one of the restricted volume types" },
        { "Deployment", "plain-token", "must come from a secretKeyRef" },
        { "Deployment", "no-limits", "resources.limits.cpu is required" },
        { "Deployment", "bad-label", "invalid label value" },
        { "Service", "long-name", "is not a valid Service name" },
        { "Service", "wrong-selector", "spec.selector must select the pods of a built Deployment" },
        { "Secret", "not-base64", "is not base64" },
        { "NetworkPolicy", "no-ownership", "ownership label flame.privateaim.de/analysis-id is missing" },
    };

    [Theory]
    [MemberData(nameof(StrictBreakages))]
    public void Strict_checks_catch_a_broken_manifest(string kind, string breakage, string expected)
    {
        var documents = AnalysisManifestsTests.Build(SampleWorkloads.Cases[0]).Select(o => JsonNode.Parse(k8s.KubernetesJson.Serialize(o))!.AsObject()).ToList();
        var target = documents.First(d => d["kind"]!.GetValue<string>() == kind);

        Break(target, breakage);

        StrictManifestChecks.Check(documents.Select(d => d.ToJsonString()).ToList()).Should().Contain(p => p.Contains(expected));
    }

    [Fact]
    public async Task The_kubernetes_models_validator_catches_a_broken_manifest()
    {
        var deployment = JsonNode.Parse(k8s.KubernetesJson.Serialize(AnalysisManifestsTests.Build(SampleWorkloads.Cases[0])[4]))!.AsObject();
        deployment["spec"]!["replicas"] = "one";
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = "8000";
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "Sometimes";

        var results = await KubernetesModelsValidator.ValidateAsync(deployment.ToJsonString());

        results.Single().Valid.Should().BeFalse();
        string.Join("\n", results.Single().Errors).Should().Contain("/spec/replicas must be integer").And.Contain("containerPort must be integer").And.Contain("imagePullPolicy");
    }

    [Fact]
    public async Task The_validator_rejects_a_missing_required_field()
    {
        var deployment = JsonNode.Parse(k8s.KubernetesJson.Serialize(AnalysisManifestsTests.Build(SampleWorkloads.Cases[0])[4]))!.AsObject();
        deployment["spec"]!.AsObject().Remove("selector");

        var results = await KubernetesModelsValidator.ValidateAsync(deployment.ToJsonString());

        results.Single().Valid.Should().BeFalse();
        results.Single().Errors.Should().Contain(e => e.Contains("selector"));
    }

    private static void Break(JsonObject target, string breakage)
    {
        var pod = target["spec"]?["template"]?["spec"];
        var container = pod?["containers"]?[0];
        switch (breakage)
        {
            case "unknown-field":
                container!["imagee"] = "typo";
                break;
            case "upper-case-name":
                target["metadata"]!["name"] = "Analysis-X";
                break;
            case "selector-mismatch":
                target["spec"]!["selector"]!["matchLabels"]!["app"] = "someone-else";
                break;
            case "no-seccomp":
                pod!["securityContext"]!.AsObject().Remove("seccompProfile");
                container!["securityContext"]!.AsObject().Remove("seccompProfile");
                break;
            case "privilege-escalation":
                container!["securityContext"]!["allowPrivilegeEscalation"] = true;
                break;
            case "no-drop-all":
                container!["securityContext"]!["capabilities"]!["drop"] = new JsonArray("NET_RAW");
                break;
            case "run-as-root":
                pod!["securityContext"]!["runAsNonRoot"] = false;
                container!["securityContext"]!["runAsNonRoot"] = false;
                break;
            case "service-account-token":
                pod!["automountServiceAccountToken"] = true;
                break;
            case "host-path":
                pod!["volumes"] = new JsonArray(new JsonObject { ["name"] = "host", ["hostPath"] = new JsonObject { ["path"] = "/" } });
                break;
            case "plain-token":
                container!["env"]![0] = new JsonObject { ["name"] = "KEYCLOAK_TOKEN", ["value"] = "plain" };
                break;
            case "no-limits":
                container!["resources"]!.AsObject().Remove("limits");
                break;
            case "bad-label":
                target["metadata"]!["labels"]!["component"] = "not a label value";
                break;
            case "long-name":
                target["metadata"]!["name"] = new string('a', 64);
                break;
            case "wrong-selector":
                target["spec"]!["selector"] = new JsonObject { ["app"] = "nobody" };
                break;
            case "not-base64":
                target["data"]!["KEYCLOAK_TOKEN"] = "not base64!";
                break;
            case "no-ownership":
                target["metadata"]!["labels"]!.AsObject().Remove("flame.privateaim.de/analysis-id");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(breakage), breakage, "unknown breakage");
        }
    }
}
