using System.Net;

namespace Flame.Po.Kubernetes.Tests.Nginx;

/// <summary>Routing and allow/deny of the rendered config, proven on a real nginx over loopback addresses.</summary>
public sealed class NginxRoutingTests(NginxRoutingFixture nginx) : IClassFixture<NginxRoutingFixture>
{
    private const string Id = NginxRoutingFixture.AnalysisId;
    private const string Project = NginxRoutingFixture.ProjectId;

    /// <summary>Path asked, the only source allowed, the upstream expected and the path it must receive.</summary>
    public static TheoryData<string, Source[], string, string> Routes() => new()
    {
        { "/kong/datasource-1/records?page=2", [Source.Analysis], "kong", "/datasource-1/records?page=2" },
        { "/storage/final", [Source.Analysis], "storage", "/final" },
        { "/storage/local", [Source.Analysis], "storage", "/local" },
        { "/storage/local/object-7", [Source.Analysis], "storage", "/local/object-7" },
        { "/storage/intermediate/object-8", [Source.Analysis], "storage", "/intermediate/object-8" },
        { $"/hub-adapter/kong/datastore/{Project}", [Source.Analysis], "hub-adapter", $"/kong/datastore/{Project}" },
        { $"/message-broker/analyses/{Id}/participants", [Source.Analysis], "message-broker", $"/analyses/{Id}/participants" },
        { $"/message-broker/analyses/{Id}/participants/self", [Source.Analysis], "message-broker", $"/analyses/{Id}/participants/self" },
        { $"/message-broker/analyses/{Id}/messages", [Source.Analysis], "message-broker", $"/analyses/{Id}/messages" },
        { $"/message-broker/analyses/{Id}/messages/subscriptions", [Source.Analysis], "message-broker", $"/analyses/{Id}/messages/subscriptions" },
        { "/message-broker/healthz", [Source.Analysis], "message-broker", "/healthz" },
        { "/po/stream_logs", [Source.Analysis], "po", "/po/stream_logs" },
        { "/analysis/healthz", [Source.MessageBroker, Source.PodOrchestrator], "analysis", "/healthz" },
        { "/analysis/partner_status", [Source.MessageBroker, Source.PodOrchestrator], "analysis", "/partner_status" },
        { "/analysis/token_refresh", [Source.MessageBroker, Source.PodOrchestrator], "analysis", "/token_refresh" },
        { "/analysis/webhook", [Source.MessageBroker, Source.PodOrchestrator], "analysis", "/webhook" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_reaches_its_upstream_only_from_the_allowed_sources(string path, Source[] allowed, string upstream, string upstreamPath)
    {
        foreach (var source in Enum.GetValues<Source>())
        {
            using var response = await nginx.ClientFrom(source).GetAsync(nginx.Url(path));
            var body = await response.Content.ReadAsStringAsync();

            if (allowed.Contains(source))
            {
                response.StatusCode.Should().Be(HttpStatusCode.OK, $"{source} may use {path}");
                body.Should().Be($"{upstream} {upstreamPath}");
            }
            else
            {
                response.StatusCode.Should().Be(HttpStatusCode.Forbidden, $"{source} must not use {path}");
            }
        }
    }

    [Fact]
    public async Task Post_bodies_are_forwarded_on_the_log_route()
    {
        using var content = new StringContent("""{"log":"line"}""");

        using var response = await nginx.ClientFrom(Source.Analysis).PostAsync(nginx.Url("/po/stream_logs"), content);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("po /po/stream_logs");
    }

    [Theory]
    [InlineData("/storage/finalX")]
    [InlineData("/storage/final-results")]
    [InlineData("/storage/other")]
    [InlineData("/storage")]
    [InlineData($"/message-broker/analyses/{NginxRoutingFixture.OtherAnalysisId}/participants")]
    [InlineData($"/message-broker/analyses/{NginxRoutingFixture.OtherAnalysisId}/messages")]
    [InlineData($"/message-broker/analyses/{Id}/participantsXYZ")]
    [InlineData($"/message-broker/analyses/{Id}/participants/other")]
    [InlineData($"/message-broker/analyses/{Id}/messages/subscriptionsX")]
    [InlineData("/message-broker/healthzX")]
    [InlineData("/message-broker/analyses")]
    [InlineData($"/hub-adapter/kong/datastore/{NginxRoutingFixture.OtherProjectId}")]
    [InlineData($"/hub-adapter/kong/datastore/{Project}X")]
    [InlineData("/hub-adapter/other")]
    [InlineData("/kongX/datasource")]
    [InlineData("/kong")]
    [InlineData("/po/stream_logsX")]
    [InlineData("/po/status")]
    [InlineData("/analysisX/healthz")]
    [InlineData("/analysis")]
    [InlineData("/")]
    [InlineData("/healthzX")]
    [InlineData("/storage/final/../../po/status")]
    [InlineData("/storage/final%0A")]
    [InlineData("/message-broker/healthz%0A")]
    [InlineData("/po/stream_logs%0A")]
    public async Task Paths_outside_the_route_table_get_404_from_every_source(string path)
    {
        foreach (var source in Enum.GetValues<Source>())
        {
            using var response = await nginx.ClientFrom(source).GetAsync(nginx.Url(path));

            response.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{path} from {source} is not a route");
        }
    }

    [Fact]
    public async Task Healthz_answers_everyone_without_an_upstream()
    {
        foreach (var source in Enum.GetValues<Source>())
        {
            using var response = await nginx.ClientFrom(source).GetAsync(nginx.Url("/healthz"));

            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).Should().Be("healthy\n");
        }
    }
}
