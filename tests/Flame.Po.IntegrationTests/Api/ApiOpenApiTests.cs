using System.Net;
using System.Text.Json;
using Flame.Po.Core.Analyses;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>The OpenAPI document and its two viewers, served without a token (docs/compatibility.md#common).</summary>
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
            "/po/history", "/po/history/{analysis_id}", "/po/logs", "/po/logs/{analysis_id}", "/po/pods", "/po/pods/{analysis_id}", "/po/events",
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
        foreach (var (path, method) in new[] { ("status", "get"), ("stop", "put"), ("delete", "delete"), ("history", "get"), ("logs", "get"), ("pods", "get") })
        {
            // The handlers bind the segment under a C# name; the document keeps the contract's parameter name.
            paths.GetProperty($"/po/{path}/{{analysis_id}}").GetProperty(method).GetProperty("parameters").EnumerateArray()
                .Select(p => (p.GetProperty("name").GetString(), p.GetProperty("in").GetString())).Should().Equal([("analysis_id", "path")], path);
        }

        var schemas = doc.GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("CreateAnalysisRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name)
            .Should().Contain(["analysis_id", "project_id", "registry_url", "image_url", "registry_user", "registry_password", "kong_token", "restart_counter", "progress"]);
        // The annotations only document the body; they name the limits the validator enforces.
        var createProperties = schemas.GetProperty("CreateAnalysisRequest").GetProperty("properties");
        createProperties.GetProperty("registry_url").GetProperty("maxLength").GetInt32().Should().Be(AnalysisLimits.RegistryLength);
        createProperties.GetProperty("image_url").GetProperty("maxLength").GetInt32().Should().Be(AnalysisLimits.ImageLength);
        createProperties.GetProperty("kong_token").GetProperty("maxLength").GetInt32().Should().Be(AnalysisLimits.SecretLength);
        createProperties.GetProperty("restart_counter").GetProperty("maximum").GetDouble().Should().Be(AnalysisLimits.MaxPreviousRestartCounter);
        createProperties.GetProperty("progress").GetProperty("maximum").GetDouble().Should().Be(AnalysisLimits.MaxProgress);
        // The old {status, progress} pair, plus what only a queued analysis adds (absent otherwise, ignored by old clients).
        var entry = schemas.GetProperty("AnalysisStatusEntry");
        entry.GetProperty("properties").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["status", "progress", "reason", "queue_position"]);
        paths.GetProperty("/po/healthz").GetProperty("get").TryGetProperty("security", out _).Should().BeFalse();
    }

    [Fact]
    public async Task The_document_describes_the_history_logs_pods_and_events_routes()
    {
        var doc = JsonDocument.Parse(await f.Http.GetStringAsync("/api/v1/openapi.json")).RootElement;
        var paths = doc.GetProperty("paths");
        var schemas = doc.GetProperty("components").GetProperty("schemas");

        foreach (var route in new[] { "history", "logs", "pods" })
        {
            foreach (var (path, errors) in new[] { ($"/po/{route}", new[] { "401", "403", "503" }), ($"/po/{route}/{{analysis_id}}", ["401", "403", "404", "422", "503"]) })
            {
                var get = paths.GetProperty(path).GetProperty("get");
                get.GetProperty("security").EnumerateArray().Single().TryGetProperty("bearer", out _).Should().BeTrue(path);
                var responses = get.GetProperty("responses");
                responses.EnumerateObject().Select(r => r.Name).Should().Contain(errors.Append("200"), path);
                foreach (var error in errors)
                {
                    responses.GetProperty(error).GetProperty("content").TryGetProperty("application/problem+json", out _).Should().BeTrue($"{path} {error}");
                }

                var ok = Schema(doc, responses.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
                if (route == "pods")
                {
                    ok.GetProperty("additionalProperties").GetProperty("type").GetString().Should().Be("array", path);
                    ok.GetProperty("additionalProperties").GetProperty("items").GetProperty("type").GetString().Should().Be("string", path);
                }
                else
                {
                    ok.GetProperty("properties").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["analysis", "nginx"], path);
                }
            }
        }

        var events = paths.GetProperty("/po/events").GetProperty("get");
        events.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Contain(["200", "401", "403", "503"]);
        events.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _).Should().BeTrue();
        schemas.GetProperty("AnalysisEventMessage").GetProperty("properties").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            ["event_id", "analysis_id", "sequence", "deployment_name", "from", "to", "reason", "restart_counter", "progress", "time", "deleted"]);
    }

    [Fact]
    public async Task The_document_parses_and_validates_as_openapi_without_errors()
    {
        var text = await f.Http.GetStringAsync("/api/v1/openapi.json");

        var read = Microsoft.OpenApi.OpenApiDocument.Parse(text, "json");

        read.Diagnostic!.Errors.Should().BeEmpty();
        read.Document.Should().NotBeNull();
        Microsoft.OpenApi.OpenApiElementExtensions.Validate(read.Document!, Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet()).Should().BeEmpty();
        read.Document!.Paths.Keys.Should().Contain(["/po/history/{analysis_id}", "/po/logs/{analysis_id}", "/po/pods/{analysis_id}", "/po/events"]);
    }

    /// <summary>Follows a <c>$ref</c> into components/schemas.</summary>
    private static JsonElement Schema(JsonElement doc, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? doc.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;

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
