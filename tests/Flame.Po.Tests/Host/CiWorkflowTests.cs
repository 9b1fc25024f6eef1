using System.Runtime.CompilerServices;
using YamlDotNet.RepresentationModel;

namespace Flame.Po.Tests.Host;

/// <summary>.github/workflows/ci.yml: the README's test command and the image build on every push and pull request.</summary>
public sealed class CiWorkflowTests
{
    private static readonly YamlMappingNode Workflow = Load();

    [Fact]
    public void It_runs_on_every_push_and_pull_request()
    {
        var on = Workflow.Children[new YamlScalarNode("on")];
        var triggers = on switch
        {
            YamlMappingNode map => map.Children.Keys.Select(k => ((YamlScalarNode)k).Value),
            YamlSequenceNode list => list.Children.Select(k => ((YamlScalarNode)k).Value),
            YamlScalarNode one => [one.Value],
            _ => [],
        };

        triggers.Should().Contain(["push", "pull_request"]);
        if (on is YamlMappingNode filters)
        {
            filters.Children[new YamlScalarNode("push")].Should().NotBeOfType<YamlMappingNode>("no branch or path filter: every push");
        }
    }

    [Fact]
    public void A_job_checks_out_sets_up_dotnet_and_runs_the_test_script()
    {
        var job = Jobs().Should().ContainSingle(j => Runs(j).Any(r => r.Trim() == "./test.sh")).Subject;

        Uses(job).Should().Contain(u => u.StartsWith("actions/checkout@", StringComparison.Ordinal))
            .And.Contain(u => u.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal));
    }

    [Fact]
    public void A_job_builds_the_dockerfile()
    {
        File.Exists(Path.Combine(RepositoryRoot(), "Dockerfile")).Should().BeTrue();

        var job = Jobs().Should().ContainSingle(j => Runs(j).Any(r => r.Contains("docker build", StringComparison.Ordinal))).Subject;

        Runs(job).Should().Contain(r => r.Contains("--file Dockerfile", StringComparison.Ordinal) && r.TrimEnd().EndsWith(" .", StringComparison.Ordinal));
        Uses(job).Should().Contain(u => u.StartsWith("actions/checkout@", StringComparison.Ordinal));
    }

    private static IEnumerable<YamlMappingNode> Jobs() =>
        ((YamlMappingNode)Workflow.Children[new YamlScalarNode("jobs")]).Children.Values.Cast<YamlMappingNode>();

    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode job) =>
        ((YamlSequenceNode)job.Children[new YamlScalarNode("steps")]).Children.Cast<YamlMappingNode>();

    private static IEnumerable<string> Runs(YamlMappingNode job) => Field(job, "run");

    private static IEnumerable<string> Uses(YamlMappingNode job) => Field(job, "uses");

    private static IEnumerable<string> Field(YamlMappingNode job, string name) =>
        Steps(job).Select(s => s.Children.TryGetValue(new YamlScalarNode(name), out var value) ? ((YamlScalarNode)value).Value : null)
            .OfType<string>();

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryRoot(), ".github", "workflows", "ci.yml"));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
