using System.Text.Json;
using System.Text.Json.Nodes;
using Flame.Po.Api.Validation;
using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Workloads;

namespace Flame.Po.Tests.Api;

/// <summary>
/// The Api validates a create body and the lifecycle checks the command again before anything reaches Kubernetes;
/// both use <see cref="AnalysisLimits"/>, so at every boundary they agree. Rules only the Api applies are left out:
/// it normalises upper-case ids (the lifecycle only ever sees lower case), limits the secrets' length and requires a
/// non-empty Kong token.
/// </summary>
public sealed class CreateLimitsParityTests
{
    private const string Id = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

    public static TheoryData<string, JsonNode, bool> Boundaries()
    {
        var data = new TheoryData<string, JsonNode, bool>();
        void Add(string field, JsonNode value, bool accepted) => data.Add(field, value, accepted);

        Add("analysis_id", Id, true);
        Add("analysis_id", "not-a-uuid", false);
        Add("analysis_id", "{" + Id + "}", false);
        Add("analysis_id", Id + "0", false);
        Add("project_id", Id, true);
        Add("project_id", Id.Replace("-", "", StringComparison.Ordinal), false);

        var host = "harbor.example.org/";
        Add("image_url", host + new string('a', AnalysisLimits.ImageLength - host.Length), true);
        Add("image_url", host + new string('a', AnalysisLimits.ImageLength - host.Length + 1), false);
        Add("image_url", host + "project/image:1.0@sha256:" + new string('a', 64), true);
        Add("image_url", host + "project/image:v..1", false);
        Add("image_url", host + "Project/image", false);
        Add("image_url", host + "project/image\n", false);
        Add("image_url", "", false);

        Add("registry_url", new string('a', AnalysisLimits.RegistryLength), true);
        Add("registry_url", new string('a', AnalysisLimits.RegistryLength + 1), false);
        Add("registry_url", "https://harbor.example.org:8443/path/", true);
        Add("registry_url", "harbor..example.org", false);
        Add("registry_url", "-harbor.example.org", false);
        Add("registry_url", "harbor.example.org/a b", false);

        Add("registry_user", "robot$flame", true);
        Add("registry_user", "", false);
        Add("registry_user", "robot\nuser", false);
        Add("registry_password", "p\u0000w", false);
        Add("kong_token", "to\rken", false);

        Add("restart_counter", -1, false);
        Add("restart_counter", 0, true);
        Add("restart_counter", AnalysisLimits.MaxPreviousRestartCounter, true);
        Add("restart_counter", AnalysisLimits.MaxPreviousRestartCounter + 1, false);
        Add("progress", -1, false);
        Add("progress", 0, true);
        Add("progress", AnalysisLimits.MaxProgress, true);
        Add("progress", AnalysisLimits.MaxProgress + 1, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void The_api_and_the_lifecycle_accept_and_refuse_the_same_values(string field, JsonNode value, bool accepted)
    {
        var body = new JsonObject
        {
            ["analysis_id"] = Id,
            ["project_id"] = Id,
            ["registry_url"] = "harbor.example.org",
            ["image_url"] = "harbor.example.org/project/" + Id,
            ["registry_user"] = "robot",
            ["registry_password"] = "secret",
            ["kong_token"] = "none_needed",
            ["restart_counter"] = 0,
            ["progress"] = 0,
        };
        body[field] = value.DeepClone();
        using var json = JsonDocument.Parse(body.ToJsonString());

        var (request, errors) = CreateAnalysisValidator.Validate(json.RootElement);

        (request is not null).Should().Be(accepted, $"the Api on {field}: {string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}"))}");
        LifecycleAccepts(body).Should().Be(accepted, $"the lifecycle on {field}");
    }

    /// <summary>The lifecycle's checks of a create command, as <c>AnalysisCommands.CreateAsync</c> runs them.</summary>
    private static bool LifecycleAccepts(JsonObject body)
    {
        string Text(string field) => body[field]!.GetValue<string>();
        int Number(string field) => body[field]!.GetValue<int>();
        try
        {
            AnalysisManifests.For(
                new AnalysisWorkloadRequest
                {
                    Namespace = "default",
                    AnalysisId = Text("analysis_id"),
                    ProjectId = Text("project_id"),
                    RestartCounter = checked(Number("restart_counter") + 1),
                    Image = Text("image_url"),
                    Credentials = new AnalysisCredentials(
                        new RegistryCredentials(Text("registry_url"), Text("registry_user"), Text("registry_password")), Text("kong_token"), KeycloakToken: ""),
                },
                new WorkloadSettings());
        }
        catch (WorkloadInputException)
        {
            return false;
        }

        return AnalysisLimits.IsPreviousRestartCounter(Number("restart_counter")) && AnalysisLimits.IsProgress(Number("progress"));
    }
}
