using System.Text;

using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.Lifecycle.Workloads.Nginx;

using k8s;
using k8s.Models;

namespace Flame.Po.Kubernetes.Tests.Manifests;

public sealed class AnalysisManifestsTests
{
    public static TheoryData<string> CaseNames() => [.. SampleWorkloads.Cases.Select(c => c.Name)];

    internal static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(SampleWorkloads.Case sample, WorkloadSettings? settings = null)
    {
        var manifests = AnalysisManifests.For(sample.WorkloadRequest(), settings ?? new WorkloadSettings());
        return manifests.All(NginxConfigRenderer.Render(sample.NginxRequest()));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Built_objects_match_the_reviewed_golden_file(string caseName)
    {
        var objects = Build(SampleWorkloads.Cases.Single(c => c.Name == caseName));

        GoldenFile.Verify($"manifests-{caseName}.yaml", KubernetesYaml.SerializeAll(objects));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Every_built_object_passes_the_kubernetes_models_validator(string caseName)
    {
        var objects = Build(SampleWorkloads.Cases.Single(c => c.Name == caseName));

        var results = await KubernetesModelsValidator.ValidateAsync(KubernetesYaml.SerializeAll(objects));

        results.Should().HaveCount(objects.Count);
        results.Select(r => r.Kind).Distinct().Should().BeEquivalentTo(["NetworkPolicy", "Secret", "Deployment", "Service", "ConfigMap"]);
        results.Where(r => !r.Valid).Should().BeEmpty();
    }

    [Fact]
    public async Task Objects_built_with_custom_settings_pass_the_validator_too()
    {
        var settings = new WorkloadSettings { NginxImage = "registry.local:5000/mirror/nginx:1.27", AnalysisCpuLimit = "4", AnalysisMemoryLimit = "16Gi", NginxCpuRequest = "0.1", RunAsUser = 1000 };
        var objects = Build(SampleWorkloads.Cases[1], settings);

        var results = await KubernetesModelsValidator.ValidateAsync(KubernetesYaml.SerializeAll(objects));

        results.Where(r => !r.Valid).Should().BeEmpty();
        StrictManifestChecks.Check(objects.Select(o => KubernetesJson.Serialize(o)).ToList()).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Every_built_object_passes_our_strict_checks(string caseName)
    {
        var objects = Build(SampleWorkloads.Cases.Single(c => c.Name == caseName));

        var problems = StrictManifestChecks.Check(objects.Select(o => KubernetesJson.Serialize(o)).ToList());

        problems.Should().BeEmpty();
    }

    [Fact]
    public void Objects_come_in_creation_order_with_policies_first()
    {
        var objects = Build(SampleWorkloads.Cases[0]);

        objects.Select(o => o.Kind).Should().Equal("NetworkPolicy", "NetworkPolicy", "Secret", "Secret", "Deployment", "Service", "ConfigMap", "Deployment", "Service");
        var sample = SampleWorkloads.Cases[0];
        var manifests = AnalysisManifests.For(sample.WorkloadRequest(), new WorkloadSettings());
        var config = NginxConfigRenderer.Render(sample.NginxRequest());
        objects.Where(o => o is not V1Secret).Select(o => o.Metadata.Name).Should().Equal(
            CreationOrder.Objects.Select(kind => manifests.Of(kind, config).Metadata.Name), "the create step follows the same list");
    }

    [Fact]
    public void Names_labels_env_and_ports_follow_the_contract()
    {
        var sample = SampleWorkloads.Cases[0];
        var manifests = AnalysisManifests.For(sample.WorkloadRequest(), new WorkloadSettings());
        var d = $"analysis-{sample.AnalysisId}-1";

        var deployment = manifests.AnalysisDeployment();
        deployment.Metadata.Name.Should().Be(d);
        deployment.Spec!.Template.Metadata.Labels.Should().Contain(new Dictionary<string, string> { ["app"] = d, ["component"] = "flame-analysis", ["flame.privateaim.de/analysis-id"] = sample.AnalysisId });
        var container = deployment.Spec.Template.Spec.Containers.Single();
        container.Name.Should().Be(d);
        container.Env!.Select(e => e.Name).Should().Equal("DATA_SOURCE_TOKEN", "KEYCLOAK_TOKEN", "ANALYSIS_ID", "PROJECT_ID", "DEPLOYMENT_NAME");
        container.Env!.Take(2).Should().OnlyContain(e => e.Value == null && e.ValueFrom!.SecretKeyRef!.Name == $"analysis-{sample.AnalysisId}-credentials", "the credentials Secret is per analysis, shared by its restarts");
        container.Ports!.Single().ContainerPort.Should().Be(8000);
        manifests.AnalysisService().Spec!.Ports!.Single().Should().Match<V1ServicePort>(p => p.Port == 80 && p.TargetPort!.ToInt() == 8000);
        manifests.NginxService().Metadata.Name.Should().Be($"nginx-{d}");
        manifests.NginxService().Spec!.Ports!.Single().Port.Should().Be(80);
        manifests.NginxConfigMap("x").Metadata.Name.Should().Be($"nginx-{d}-config");
        manifests.AnalysisNetworkPolicy().Metadata.Name.Should().Be($"nginx-to-{d}-policy");
        manifests.NginxDeployment("x").Spec!.Template.Spec.Containers.Single().Image.Should().Be(WorkloadSettings.DefaultNginxImage);
    }

    [Fact]
    public void Secrets_hold_the_credentials_and_never_print_them()
    {
        var sample = SampleWorkloads.Cases[0];
        var request = sample.WorkloadRequest();
        var manifests = AnalysisManifests.For(request, new WorkloadSettings());

        var pull = manifests.PullSecret();
        var credentials = manifests.CredentialsSecret();

        Encoding.UTF8.GetString(pull.Data![".dockerconfigjson"]).Should().Contain("\"harbor.privateaim.net\"").And.Contain(request.Credentials!.Registry.Password);
        Encoding.UTF8.GetString(credentials.Data!["KEYCLOAK_TOKEN"]).Should().Be(request.Credentials!.KeycloakToken);
        foreach (var printed in new[] { pull.ToString(), credentials.ToString(), request.ToString(), request.Credentials!.ToString(), request.Credentials!.Registry.ToString() })
        {
            printed.Should().NotContain(request.Credentials!.Registry.Password).And.NotContain(request.Credentials!.KeycloakToken).And.NotContain(request.Credentials!.DataSourceToken);
        }
    }

    [Fact]
    public void Nginx_pod_rolls_when_its_config_changes()
    {
        var manifests = AnalysisManifests.For(SampleWorkloads.Cases[0].WorkloadRequest(), new WorkloadSettings());

        var first = manifests.NginxDeployment("config one").Spec!.Template.Metadata.Annotations![AnalysisManifests.NginxConfigHashAnnotation];
        var second = manifests.NginxDeployment("config two").Spec!.Template.Metadata.Annotations![AnalysisManifests.NginxConfigHashAnnotation];

        first.Should().NotBe(second);
    }
}
