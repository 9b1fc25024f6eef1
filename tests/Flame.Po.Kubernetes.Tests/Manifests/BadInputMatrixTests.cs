using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Workloads;

namespace Flame.Po.Kubernetes.Tests.Manifests;

/// <summary>Every unsafe input is refused with a clear message before any object is built.</summary>
public sealed class BadInputMatrixTests
{
    private static AnalysisWorkloadRequest Good => SampleWorkloads.Cases[0].WorkloadRequest();

    public static TheoryData<string, Func<AnalysisWorkloadRequest, AnalysisWorkloadRequest>, string> BadRequests()
    {
        var data = new TheoryData<string, Func<AnalysisWorkloadRequest, AnalysisWorkloadRequest>, string>
        {
            { "upper-case analysis id", r => r with { AnalysisId = r.AnalysisId.ToUpperInvariant() }, "analysis id" },
            { "analysis id without dashes", r => r with { AnalysisId = r.AnalysisId.Replace("-", "", StringComparison.Ordinal) }, "analysis id" },
            { "upper-case project id", r => r with { ProjectId = r.ProjectId.ToUpperInvariant() }, "project id" },
            { "../ in project id", r => r with { ProjectId = "../" + r.ProjectId }, "project id" },
            { "64-character namespace", r => r with { Namespace = new string('n', 64) }, "namespace" },
            { "upper-case namespace", r => r with { Namespace = "Flame" }, "namespace" },
            { "empty image", r => r with { Image = "" }, "image" },
            { "image with a space", r => r with { Image = "nginx latest" }, "image" },
            { "image with upper-case registry", r => r with { Image = "Harbor.example/x:1" }, "image" },
            { "negative restart counter", r => r with { RestartCounter = -1 }, "restart counter" },
            { "empty registry user", r => r with { Credentials = r.Credentials! with { Registry = r.Credentials!.Registry with { Username = "" } } }, "registry user name" },
            { "empty registry password", r => r with { Credentials = r.Credentials! with { Registry = r.Credentials!.Registry with { Password = "" } } }, "registry password" },
            { "registry with a path traversal", r => r with { Credentials = r.Credentials! with { Registry = r.Credentials!.Registry with { Server = "harbor/../x y" } } }, "registry server" },
        };

        // A newline in any text field could start a new YAML key or nginx directive.
        var newlineEdits = new (string Field, Func<AnalysisWorkloadRequest, AnalysisWorkloadRequest> Edit, string Message)[]
        {
            ("namespace", r => r with { Namespace = r.Namespace + "\n" }, "namespace"),
            ("analysis id", r => r with { AnalysisId = r.AnalysisId + "\n" }, "analysis id"),
            ("project id", r => r with { ProjectId = r.ProjectId + "\n" }, "project id"),
            ("image", r => r with { Image = r.Image + "\nx" }, "image"),
            ("registry server", r => r with { Credentials = r.Credentials! with { Registry = r.Credentials!.Registry with { Server = "harbor\n.example" } } }, "registry server"),
            ("registry user", r => r with { Credentials = r.Credentials! with { Registry = r.Credentials!.Registry with { Username = "robot\nx" } } }, "registry user name"),
            ("registry password", r => r with { Credentials = r.Credentials! with { Registry = r.Credentials!.Registry with { Password = "pass\nword" } } }, "registry password"),
            ("data source token", r => r with { Credentials = r.Credentials! with { DataSourceToken = "kong\nkey" } }, "data source token"),
            ("Keycloak token", r => r with { Credentials = r.Credentials! with { KeycloakToken = "jwt\r\nx" } }, "Keycloak token"),
        };
        foreach (var (field, edit, message) in newlineEdits)
        {
            data.Add($"newline in {field}", edit, message);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_request_is_rejected_before_anything_is_built(string because, Func<AnalysisWorkloadRequest, AnalysisWorkloadRequest> spoil, string field)
    {
        var request = spoil(Good);

        var build = () => AnalysisManifests.For(request, new WorkloadSettings());

        var error = build.Should().Throw<WorkloadInputException>(because).Which;
        error.Message.Should().StartWith(field);
        error.Message.Should().NotContain("\n");
        if (request.Credentials!.Registry.Password.Length > 0)
        {
            error.Message.Should().NotContain(request.Credentials!.Registry.Password);
        }
    }

    public static TheoryData<string, Func<WorkloadSettings, WorkloadSettings>> BadSettings() => new()
    {
        { "empty nginx image", s => { s.NginxImage = ""; return s; } },
        { "nginx image with a newline", s => { s.NginxImage = "nginx\n:1"; return s; } },
        { "cpu limit that is not a quantity", s => { s.AnalysisCpuLimit = "two"; return s; } },
        { "memory request with a newline", s => { s.NginxMemoryRequest = "64Mi\n"; return s; } },
        { "root user", s => { s.RunAsUser = 0; return s; } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Bad_settings_are_rejected_before_anything_is_built(string because, Func<WorkloadSettings, WorkloadSettings> spoil)
    {
        var settings = spoil(new WorkloadSettings());

        var build = () => AnalysisManifests.For(Good, settings);

        build.Should().Throw<WorkloadInputException>(because);
    }

    [Fact]
    public void Default_settings_are_valid()
    {
        new WorkloadSettings().Validate().Should().BeEmpty();
    }
}
