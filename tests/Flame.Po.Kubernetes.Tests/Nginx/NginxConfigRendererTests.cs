using System.Net;

using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.Lifecycle.Workloads.Nginx;

namespace Flame.Po.Kubernetes.Tests.Nginx;

public sealed class NginxConfigRendererTests
{
    public static TheoryData<string> CaseNames() => [.. SampleWorkloads.Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rendered_config_matches_the_reviewed_golden_file(string caseName)
    {
        var sample = SampleWorkloads.Cases.Single(c => c.Name == caseName);

        var config = NginxConfigRenderer.Render(sample.NginxRequest());

        GoldenFile.Verify($"nginx-{caseName}.conf", config);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Every_rendered_config_passes_nginx_dash_t(string caseName)
    {
        var sample = SampleWorkloads.Cases.Single(c => c.Name == caseName);
        var request = sample.NginxRequest();
        var listen = Loopback.NextAddress();

        var (exitCode, output) = await NginxProcess.TestConfigAsync(
            prefix => NginxConfigRenderer.Render(request, new NginxRenderOptions { ListenAddress = listen, ListenPort = Loopback.FreePort(listen), WritableDirectory = prefix }),
            SampleWorkloads.LoopbackHosts(request));

        exitCode.Should().Be(0, output);
        output.Should().Contain("test is successful");
    }

    [Fact]
    public async Task Nginx_dash_t_rejects_a_config_with_an_unresolvable_upstream()
    {
        var request = SampleWorkloads.Cases[0].NginxRequest();
        var hosts = SampleWorkloads.LoopbackHosts(request).Where(h => h.Key != "flame-storage-service").ToDictionary();
        var listen = Loopback.NextAddress();

        var (exitCode, output) = await NginxProcess.TestConfigAsync(
            prefix => NginxConfigRenderer.Render(request, new NginxRenderOptions { ListenAddress = listen, ListenPort = Loopback.FreePort(listen), WritableDirectory = prefix }),
            hosts);

        exitCode.Should().NotBe(0, "the check must be able to fail, or passing it proves nothing");
        output.Should().Contain("flame-storage-service");
    }

    [Fact]
    public void Every_route_regex_is_anchored_at_both_ends()
    {
        var config = NginxConfigRenderer.Render(SampleWorkloads.Cases[0].NginxRequest());

        var regexLocations = config.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("location ~", StringComparison.Ordinal)).ToList();

        regexLocations.Should().HaveCount(8);
        regexLocations.Should().OnlyContain(l => l.StartsWith("location ~ ^/", StringComparison.Ordinal) && l.EndsWith("\\z {", StringComparison.Ordinal));
    }

    [Fact]
    public void Log_route_carries_the_120_second_timeouts()
    {
        var config = NginxConfigRenderer.Render(SampleWorkloads.Cases[0].NginxRequest());

        var block = config[config.IndexOf("location ~ ^/po/stream_logs\\z", StringComparison.Ordinal)..];
        block = block[..block.IndexOf('}', StringComparison.Ordinal)];
        block.Should().Contain("proxy_connect_timeout 10s;").And.Contain("proxy_send_timeout 120s;").And.Contain("proxy_read_timeout 120s;").And.Contain("send_timeout 120s;");
    }

    public static TheoryData<string, Func<NginxConfigRequest, NginxConfigRequest>> BadRequests() => new()
    {
        { "upper-case analysis id", r => r with { AnalysisId = r.AnalysisId.ToUpperInvariant() } },
        { "analysis id with a newline", r => r with { AnalysisId = r.AnalysisId + "\n" } },
        { "analysis id that is a regex", r => r with { AnalysisId = ".*" } },
        { "project id with ../", r => r with { ProjectId = "../" + r.ProjectId } },
        { "project id with a newline", r => r with { ProjectId = r.ProjectId[..8] + "\nallow all;" } },
        { "no analysis pod IP", r => r with { Sources = r.Sources with { Analysis = [] } } },
        { "no message-broker pod IP (B24)", r => r with { Sources = r.Sources with { MessageBroker = [] } } },
        { "no PO pod IP", r => r with { Sources = r.Sources with { PodOrchestrator = [] } } },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_input_is_rejected_before_rendering(string because, Func<NginxConfigRequest, NginxConfigRequest> spoil)
    {
        var request = spoil(SampleWorkloads.Cases[0].NginxRequest());

        var render = () => NginxConfigRenderer.Render(request);

        render.Should().Throw<WorkloadInputException>(because).Which.Message.Should().NotContain("\n");
    }

    [Theory]
    [InlineData("Flame-Storage")]
    [InlineData("storage;evil")]
    [InlineData("storage\nallow all")]
    [InlineData("a-name-that-is-exactly-sixty-four-characters-long-xxxxxxxxxxxxxx")]
    [InlineData("")]
    [InlineData("-storage")]
    public void Upstream_service_names_must_be_dns_1123_labels(string host)
    {
        var create = () => new UpstreamService(host, 8080);

        create.Should().Throw<WorkloadInputException>().WithMessage("*DNS-1123 label*");
    }

    [Theory]
    [InlineData("/tmp/../etc")]
    [InlineData("relative")]
    [InlineData("/tmp;evil")]
    [InlineData("/tmp x")]
    public void Writable_directory_must_be_a_plain_absolute_path(string directory)
    {
        var render = () => NginxConfigRenderer.Render(SampleWorkloads.Cases[0].NginxRequest(), new NginxRenderOptions { WritableDirectory = directory });

        render.Should().Throw<WorkloadInputException>();
    }

    [Fact]
    public void Ipv6_listen_address_is_bracketed()
    {
        var config = NginxConfigRenderer.Render(SampleWorkloads.Cases[0].NginxRequest(), new NginxRenderOptions { ListenAddress = IPAddress.IPv6Loopback, ListenPort = 81 });

        config.Should().Contain("listen [::1]:81;");
    }
}
