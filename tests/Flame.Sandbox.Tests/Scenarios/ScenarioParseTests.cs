using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox.Scenarios;

namespace Flame.Sandbox.Tests.Scenarios;

public sealed class ScenarioParseTests
{
    [Theory]
    [InlineData("sim/ok:runtime-20s_progress-5", "ok", 20_000, 5, 0)]
    [InlineData("sim/ok?runtime=20s&progress=5", "ok", 20_000, 5, 0)]
    [InlineData("harbor.example.org/sim/ok:runtime-2s", "ok", 2_000, 5, 0)]
    [InlineData("registry.local:5000/project/sim/ok", "ok", 20_000, 5, 0)]
    [InlineData("docker.io/sim/fails:runtime-1m30s", "fails", 90_000, 5, 0)]
    [InlineData("sim/slow-start:delay-90s", "slow-start", 20_000, 5, 90_000)]
    [InlineData("sim/slow-start:delay-250ms_runtime-1.5s", "slow-start", 1_500, 5, 250)]
    [InlineData("sim/stuck", "stuck", 20_000, 5, 0)]
    [InlineData("sim/oom", "oom", 3_000, 5, 0)]
    [InlineData("sim/crashloop:latest", "crashloop", 1_000, 5, 0)]
    [InlineData("sim/ok:runtime-3s@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ok", 3_000, 5, 0)]
    public void Image_references_select_the_scenario_and_its_parameters(string image, string name, int runtimeMs, int progress, int delayMs)
    {
        var scenario = Scenario.Parse(image);

        scenario.Name.Should().Be(name);
        scenario.Runtime.Should().Be(TimeSpan.FromMilliseconds(runtimeMs));
        scenario.ProgressSteps.Should().Be(progress);
        scenario.StartDelay.Should().Be(TimeSpan.FromMilliseconds(delayMs));
        scenario.IsAnalysis.Should().BeTrue();
    }

    [Theory]
    [InlineData("sim/ok:runtime-20s_progress-5")]
    [InlineData("harbor.example.org/sim/ok:runtime-2s")]
    [InlineData("registry.local/project/sim/slow-start:delay-90s")]
    [InlineData("harbor.sandbox.local/sim/ok:runtime-30s")]
    public void The_tag_form_passes_the_pod_orchestrators_image_validation(string image) =>
        WorkloadInputRules.Image(image, "image").Should().Be(image);

    [Fact]
    public void The_query_form_does_not_pass_the_pod_orchestrators_image_validation()
    {
        var validate = () => WorkloadInputRules.Image("sim/ok?runtime=20s", "image");
        validate.Should().Throw<WorkloadInputException>();
    }

    [Fact]
    public void Unknown_keys_are_ignored_and_kept()
    {
        var scenario = Scenario.Parse("sim/ok:color-blue_runtime-4s_v1");

        scenario.Name.Should().Be("ok");
        scenario.Runtime.Should().Be(TimeSpan.FromSeconds(4));
        scenario.Parameters.Should().Contain("color", "blue").And.Contain("v1", "");
    }

    [Fact]
    public void The_query_wins_over_the_tag() =>
        Scenario.Parse("sim/ok:runtime-4s?runtime=6s").Runtime.Should().Be(TimeSpan.FromSeconds(6));

    [Theory]
    [InlineData("sim/ok:runtime-soon")]
    [InlineData("sim/ok:progress-many")]
    [InlineData("sim/ok?runtime=5parsecs")]
    [InlineData("sim/does-not-exist")]
    public void Bad_values_and_unknown_scenarios_are_an_image_the_registry_does_not_have(string image) =>
        Scenario.Parse(image).Name.Should().Be("unknown");

    [Theory]
    [InlineData("nginx:1.29.8")]
    [InlineData("ghcr.io/privateaim/node-message-broker:latest")]
    [InlineData("sim")]
    [InlineData("sim/ok/extra:runtime-2s")]
    [InlineData("registry.local:5000/simulation/ok")]
    public void Other_images_are_long_running_services(string image) =>
        Scenario.Parse(image).IsAnalysis.Should().BeFalse();

    [Theory]
    [InlineData("sim/ok", "docker.io/sim/ok")]
    [InlineData("nginx:1.29.8", "docker.io/library/nginx:1.29.8")]
    [InlineData("harbor.example.org/sim/ok:runtime-2s", "harbor.example.org/sim/ok:runtime-2s")]
    [InlineData("localhost/x/y", "localhost/x/y")]
    [InlineData("sim/ok?runtime=2s", "docker.io/sim/ok")]
    public void Images_are_named_as_containerd_names_them(string image, string expected) =>
        ImageNames.FullyQualified(image).Should().Be(expected);
}
