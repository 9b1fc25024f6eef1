using Flame.Po.Host;

namespace Flame.Po.Tests.Host;

public sealed class HostTargetsTests
{
    [Theory]
    [InlineData(new string[0], null, HostTarget.All)]
    [InlineData(new[] { "--target", "api" }, null, HostTarget.Api)]
    [InlineData(new[] { "--target=lifecycle" }, null, HostTarget.Lifecycle)]
    [InlineData(new[] { "-target", "logging" }, null, HostTarget.Logging)]
    [InlineData(new[] { "-target=all" }, "api", HostTarget.All)]
    [InlineData(new string[0], "lifecycle", HostTarget.Lifecycle)]
    [InlineData(new string[0], "  ", HostTarget.All)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0", "--target", "api" }, "logging", HostTarget.Api)]
    public void Resolves_the_target_from_arguments_then_environment(string[] args, string? environment, HostTarget expected)
    {
        var target = HostTargets.Resolve(args, environment, out var error);

        error.Should().BeNull();
        target.Should().Be(expected);
    }

    [Theory]
    [InlineData(new[] { "--target", "everything" }, null, "Unknown target 'everything'")]
    [InlineData(new[] { "--target", "API" }, null, "Unknown target 'API'")]
    [InlineData(new string[0], "worker", "Unknown target 'worker'")]
    [InlineData(new[] { "--target" }, null, "--target needs a value")]
    public void Rejects_unknown_or_missing_targets_with_the_valid_names(string[] args, string? environment, string message)
    {
        HostTargets.Resolve(args, environment, out var error);

        error.Should().StartWith(message).And.Contain("all, api, lifecycle, logging");
    }

    [Fact]
    public void Removes_only_the_target_switch_from_the_arguments()
    {
        HostTargets.WithoutTarget(["--urls", "http://x:1", "--target", "api", "--target=all", "-target", "logging", "--foo=bar"])
            .Should().Equal("--urls", "http://x:1", "--foo=bar");
    }

    [Theory]
    [InlineData(HostTarget.All, 8000)]
    [InlineData(HostTarget.Api, 8000)]
    [InlineData(HostTarget.Lifecycle, 8001)]
    [InlineData(HostTarget.Logging, 8002)]
    public void Listens_on_the_po_port_by_default(HostTarget target, int port) => target.DefaultPort().Should().Be(port);
}
