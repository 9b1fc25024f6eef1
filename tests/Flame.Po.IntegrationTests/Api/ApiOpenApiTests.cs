using System.Net;
using System.Text.Json;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>The OpenAPI document and its two viewers, served without a token (po-spec §3.1).</summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiOpenApiTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task The_document_lists_the_po_routes_with_bearer_security_and_problem_answers()
    {
        using var response = await f.Http.GetAsync("/api/v1/openapi.json");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        doc.GetProperty("openapi").GetString().Should().StartWith("3.");
        var paths = doc.GetProperty("paths");
        paths.EnumerateObject().Select(p => p.Name).Should().Contain(
        [
            "/po/", "/po/status", "/po/status/{analysis_id}", "/po/stop", "/po/stop/{analysis_id}", "/po/delete", "/po/delete/{analysis_id}", "/po/healthz",
        ]);
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        scheme.GetProperty("type").GetString().Should().Be("http");
        scheme.GetProperty("scheme").GetString().Should().Be("bearer");

        var create = paths.GetProperty("/po/").GetProperty("post");
        create.GetProperty("security").EnumerateArray().Single().TryGetProperty("bearer", out _).Should().BeTrue();
        create.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _).Should().BeTrue();
        create.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Contain(["200", "401", "403", "409", "413", "422", "503"]);
        paths.GetProperty("/po/stop/{analysis_id}").GetProperty("put").GetProperty("responses").EnumerateObject().Select(r => r.Name)
            .Should().Contain(["200", "401", "403", "404", "422", "503"]);
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("CreateAnalysisRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name)
            .Should().Contain(["analysis_id", "project_id", "registry_url", "image_url", "registry_user", "registry_password", "kong_token", "restart_counter", "progress"]);
        schemas.GetProperty("AnalysisStatusEntry").GetProperty("properties").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["status", "progress"]);
        paths.GetProperty("/po/healthz").GetProperty("get").TryGetProperty("security", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("/api/docs/index.html", "swagger")]
    [InlineData("/api/redoc/index.html", "redoc")]
    public async Task The_viewers_are_served_and_point_at_the_document(string path, string marker)
    {
        using var response = await f.Http.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().ContainEquivalentOf(marker);
        var script = await f.Http.GetStringAsync(path.Replace("index.html", "index.js", StringComparison.Ordinal));
        script.Should().Contain("/api/v1/openapi.json");
    }

    [Theory]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://evil.example", false)]
    public async Task Cors_preflights_answer_only_the_configured_origin(string origin, bool allowed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/po/status");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");

        using var response = await f.Http.SendAsync(request);

        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins).Should().Be(allowed);
        if (allowed)
        {
            origins.Should().Equal(origin);
            response.Headers.GetValues("Access-Control-Allow-Credentials").Should().Equal("true");
        }
    }
}
