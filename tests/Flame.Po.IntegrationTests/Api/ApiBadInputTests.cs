using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// Invalid ids and bodies from an authorised caller: every one is a 4xx problem+json naming the field, and
/// nothing reaches the lifecycle (no record, no object, no Keycloak client).
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiBadInputTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private const string FreshId = "0d9f8e7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f";

    private static readonly string[] Injections =
    [
        "a\nb", "../../etc/passwd", "\"; drop table analysis; --", "${jndi:ldap://x}", "<script>alert(1)</script>", "x\r\nHost: evil", "' OR '1'='1", "a\u0000b",
    ];

    private static readonly string[] StringFields = ["analysis_id", "project_id", "registry_url", "image_url", "registry_user", "registry_password", "kong_token"];

    /// <summary>Each case: a name, the body to send (JSON text), the expected status and the field the problem must name.</summary>
    public static TheoryData<string, string, int, string> Bodies()
    {
        var data = new TheoryData<string, string, int, string>();
        void Add(string name, JsonNode body, string field, int status = 422) => data.Add(name, body.ToJsonString(), status, field);
        JsonObject Base() => ApiFixture.CreateBody(FreshId);
        JsonObject With(string field, JsonNode? value)
        {
            var body = Base();
            body[field] = value;
            return body;
        }

        JsonObject Without(string field)
        {
            var body = Base();
            body.Remove(field);
            return body;
        }

        foreach (var field in StringFields)
        {
            Add($"missing {field}", Without(field), field);
            Add($"null {field}", With(field, null), field);
            Add($"number {field}", With(field, 42), field);
            Add($"empty {field}", With(field, ""), field);
        }

        Add("array analysis_id", With("analysis_id", new JsonArray("x")), "analysis_id");
        Add("object project_id", With("project_id", new JsonObject()), "project_id");
        Add("non-uuid analysis_id", With("analysis_id", "not-a-uuid"), "analysis_id");
        Add("analysis_id all", With("analysis_id", "all"), "analysis_id");
        Add("braced analysis_id", With("analysis_id", "{" + FreshId + "}"), "analysis_id");
        Add("hex-only analysis_id", With("analysis_id", FreshId.Replace("-", "", StringComparison.Ordinal)), "analysis_id");
        Add("huge kong_token", With("kong_token", new string('k', 5000)), "kong_token");
        Add("huge image_url", With("image_url", "harbor.sandbox.local/" + new string('a', 600)), "image_url");
        Add("image_url with space", With("image_url", "harbor.sandbox.local/sim/ok latest"), "image_url");
        Add("registry_url with path traversal", With("registry_url", "harbor/../../x"), "registry_url");
        Add("restart_counter negative", With("restart_counter", -1), "restart_counter");
        Add("restart_counter 10", With("restart_counter", 10), "restart_counter");
        Add("restart_counter huge", With("restart_counter", 1e12), "restart_counter");
        Add("restart_counter string", With("restart_counter", "1"), "restart_counter");
        Add("restart_counter fraction", With("restart_counter", 1.5), "restart_counter");
        Add("restart_counter boolean", With("restart_counter", true), "restart_counter");
        Add("progress -1", With("progress", -1), "progress");
        Add("progress 101", With("progress", 101), "progress");
        Add("progress string", With("progress", "50"), "progress");
        for (var i = 0; i < Injections.Length; i++)
        {
            foreach (var field in StringFields)
            {
                // Free-text secrets may hold any printable character; only control characters are refused there.
                if (field is "registry_user" or "registry_password" or "kong_token" && !Injections[i].Any(char.IsControl))
                {
                    continue;
                }

                Add($"injection {i} in {field}", With(field, Injections[i]), field);
            }
        }

        data.Add("body is an array", "[]", 422, "body");
        data.Add("body is a string", "\"x\"", 422, "body");
        data.Add("body is not json", "{\"analysis_id\": ", 422, "body");
        data.Add("empty body", "", 422, "body");
        data.Add("deeply nested body", new string('[', 100) + new string(']', 100), 422, "body");
        data.Add("body above 64 KiB", JsonSerializer.Serialize(new { analysis_id = FreshId, padding = new string('p', 70 * 1024) }), 413, "");
        return data;
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Invalid_create_bodies_are_refused_before_anything_happens(string name, string body, int status, string field)
    {
        var before = await f.StateAsync();

        using var response = await f.SendRawAsync(HttpMethod.Post, "/po/", "Bearer " + f.H.Sandbox.Tokens.Management(), body);

        await ApiFixture.ShouldBeProblemAsync(response, status);
        if (field.Length > 0)
        {
            var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
            errors.TryGetProperty(field, out _).Should().BeTrue($"case '{name}' must name {field}: {errors}");
        }

        (await f.StateAsync()).Should().Be(before, name);
        (await f.RecordAsync(FreshId)).Should().BeNull();
    }

    [Fact]
    public async Task A_body_of_another_media_type_is_415()
    {
        using var response = await f.SendRawAsync(HttpMethod.Post, "/po/", "Bearer " + f.H.Sandbox.Tokens.Management(), ApiFixture.CreateBody(FreshId).ToJsonString(), "text/plain");

        await ApiFixture.ShouldBeProblemAsync(response, 415);
        (await f.RecordAsync(FreshId)).Should().BeNull();
    }

    private static readonly (HttpMethod Method, string Route)[] SingleIdRoutes =
    [
        (HttpMethod.Get, "status"), (HttpMethod.Put, "stop"), (HttpMethod.Delete, "delete"),
        (HttpMethod.Get, "history"), (HttpMethod.Get, "logs"), (HttpMethod.Get, "pods"),
    ];

    public static TheoryData<string> BadIds() =>
    [
        "all", "ALL", "not-a-uuid", "12345", "0d9f8e7c6b5a4c3d9e2f1a0b9c8d7e6f", "{0d9f8e7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f}",
        "0d9f8e7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f0", "..%2F..%2Fetc", "%27%20OR%201%3D1", "a%0Ab", new string('a', 300),
        "%22%3B%20drop%20table%20archive%3B%20--", "%24%7Bjndi%3Aldap%3A%2F%2Fx%7D", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ];

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Non_uuid_ids_are_422_on_every_single_id_route(string id)
    {
        var token = f.H.Sandbox.Tokens.Management();
        var before = await f.StateAsync();

        foreach (var (method, route) in SingleIdRoutes)
        {
            using var response = await f.SendAsync(method, $"/po/{route}/{id}", token);

            if (response.StatusCode == HttpStatusCode.NotFound && id.Contains("%2F", StringComparison.Ordinal))
            {
                // An encoded slash may be decoded into a path that matches no route: a 404 problem, equally harmless.
                await ApiFixture.ShouldBeProblemAsync(response, 404);
                continue;
            }

            await ApiFixture.ShouldBeProblemAsync(response, 422);
            // One filter answers for every id route: the same problem, naming the path segment.
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().Equal(["analysis_id"], route);
        }

        (await f.StateAsync()).Should().Be(before);
        (await f.RecordAsync(f.Victim))!.Desired.Should().Be(DesiredState.Running);
    }

    [Fact]
    public async Task Upper_case_ids_are_normalised_on_the_read_routes()
    {
        var token = f.H.Sandbox.Tokens.Management();

        foreach (var route in new[] { "status", "history", "logs", "pods" })
        {
            using var response = await f.SendAsync(HttpMethod.Get, $"/po/{route}/{f.Victim.ToUpperInvariant()}", token);

            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"{route}: {text}");
            text.Should().Contain($"\"{f.Victim}\"").And.NotContain(f.Victim.ToUpperInvariant(), route);
        }
    }
}
