using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flame.Po.IntegrationTests.LogService;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// Seeded fuzzing of every route: at least 500 malformed or malicious requests (bad ids, bodies, content types and
/// tokens). Each is built so that it must not be accepted; none may answer 5xx, every refusal is problem+json, and
/// at the end the records, Kubernetes objects, Keycloak clients and log lines are exactly as before.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiFuzzTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private const int Seed = 20261130;
    private const int Requests = 600;

    // No empty id: "/po/stop/" is the stop-everything route, which a management token may legitimately call.
    private static readonly string[] BadIds =
    [
        " ", "all", "ALL", "null", "0", "-1", "..", "../..", "%2e%2e%2f", "%00", "a%0Ab", "' OR '1'='1", "\"; drop table state; --",
        "${jndi:ldap://x}", "<script>", "3fa85f64-5717-4562-b3fc-2c963f66afa", "3fa85f64-5717-4562-b3fc-2c963f66afa66", "{3fa85f64-5717-4562-b3fc-2c963f66afa6}",
        "3fa85f6457174562b3fc2c963f66afa6", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "患者", "🙂", new string('a', 5000), "3fa85f64-5717-4562-b3fc-2c963f66afa6;rm -rf",
    ];

    private static readonly string[] BadTypes = ["", "x", "ALL", "mb;rs", "zombie", "all,unknown", "%2e", "' OR 1=1", new string('m', 3000), "keycloak\nrs"];

    private static readonly string[] Scalars = ["null", "true", "0", "-1", "1e400", "\"\"", "\"\\u0000\"", "[]", "{}", "\"\\ud800\"", "\"" + new string('x', 70_000) + "\""];

    private static readonly string[] RawBodies = ["", "{", "}", "[", "{\"a\":", "nul", "{\"log\":\"x\",}", "\u0000", "{\"a\":1}{\"b\":2}", new string('[', 200), "<xml/>", "\"\\x\""];

    [Fact]
    public async Task Malformed_and_malicious_requests_never_cause_a_5xx_or_a_state_change()
    {
        var random = new Random(Seed);
        var stateBefore = await f.StateAsync();
        var linesBefore = await LogRows.CountAsync(f.H);
        var management = f.H.Sandbox.Tokens.Management();
        var failures = new List<string>();

        for (var i = 0; i < Requests; i++)
        {
            var (method, path, auth, body, contentType) = Generate(random, management);
            using var request = new HttpRequestMessage(method, path);
            if (auth is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", auth);
            }

            if (body is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            using var response = await f.Http.SendAsync(request);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            var problem = status is >= 400 and < 500 && status != 404 && status != 405 && response.Content.Headers.ContentType?.MediaType != "application/problem+json";
            if (status >= 500 || status < 400 || problem || text.Contains("   at ", StringComparison.Ordinal))
            {
                failures.Add($"#{i} {method} {Shorten(path)} auth={Shorten(auth)} body={Shorten(body)} type={contentType} → {status} {Shorten(text)}");
            }
        }

        failures.Should().BeEmpty();
        (await f.StateAsync()).Should().Be(stateBefore, "no fuzzed request may change a record, an object or a client");
        (await LogRows.CountAsync(f.H)).Should().Be(linesBefore, "no fuzzed request may store a log line");
    }

    private (HttpMethod Method, string Path, string? Auth, string? Body, string ContentType) Generate(Random random, string management)
    {
        var victim = f.Victim;
        string Id() => Uri.EscapeDataString(BadIds[random.Next(BadIds.Length)]);
        T Pick<T>(T[] values) => values[random.Next(values.Length)];
        var badAuth = new string?[]
        {
            null, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Bearer " + new string('a', 9000), "Bearer " + f.H.Sandbox.Tokens.Expired("hub-adapter"),
            "Bearer " + f.H.Sandbox.Tokens.WrongIssuer("hub-adapter"), "Bearer " + f.H.Sandbox.Tokens.WrongKey("hub-adapter"),
            "Bearer " + TestTokens.AlgNone(management),

            // Last: the victim's own token, refused on management routes but valid on stream_logs.
            "Bearer " + f.H.Sandbox.Tokens.Analysis(victim),
        };
        var asManagement = "Bearer " + management;
        var json = "application/json";
        return random.Next(12) switch
        {
            // Management routes with a bad token: refused before anything else, whatever the rest.
            0 => (Pick([HttpMethod.Put, HttpMethod.Delete]), Pick(["/po/stop/", "/po/delete/"]) + victim, badAuth[random.Next(badAuth.Length)], null, json),
            1 => (HttpMethod.Post, "/po/", badAuth[random.Next(badAuth.Length)], ApiFixture.CreateBody(Guid.NewGuid().ToString()).ToJsonString(), json),
            2 => (HttpMethod.Delete, "/po/cleanup/all", badAuth[random.Next(badAuth.Length)], null, json),

            // A management token with bad ids or cleanup types.
            3 => (Pick([HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete]), Pick(["/po/status/", "/po/stop/", "/po/delete/", "/po/history/", "/po/logs/", "/po/pods/"]) + Id(), asManagement, null, json),
            4 => (HttpMethod.Delete, "/po/cleanup/" + Uri.EscapeDataString(Pick(BadTypes)), asManagement, null, json),

            // A management token with a create body that has one bad field (or is not JSON at all).
            5 => (HttpMethod.Post, "/po/", asManagement, MutatedCreate(random), json),
            6 => (HttpMethod.Post, "/po/", asManagement, Pick(RawBodies), Pick([json, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16"])),

            // stream_logs: bad bodies with the victim's own token, or good bodies with someone else's token.
            7 => (HttpMethod.Post, "/po/stream_logs", "Bearer " + f.H.Sandbox.Tokens.Analysis(victim), MutatedLine(random, victim), json),
            8 => (HttpMethod.Post, "/po/stream_logs", Pick<string?>([asManagement, "Bearer " + f.H.Sandbox.Tokens.Analysis(Guid.NewGuid().ToString()), badAuth[random.Next(badAuth.Length - 1)]]), Line(victim).ToJsonString(), json),
            9 => (HttpMethod.Post, "/po/stream_logs", "Bearer " + f.H.Sandbox.Tokens.Analysis(victim), Pick(RawBodies), Pick([json, "text/plain"])),

            // Management routes with an analysis token, and verbs the routes do not have.
            10 => (Pick([HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete]), Pick(["/po/status", "/po/stop/" + victim, "/po/delete/" + victim, "/po/cleanup/mb", "/po/history", "/po/pods"]), "Bearer " + f.H.Sandbox.Tokens.Analysis(victim), null, json),
            _ => (Pick([HttpMethod.Patch, HttpMethod.Put, HttpMethod.Delete]), Pick(["/po/", "/po/stream_logs", "/po/healthz"]), asManagement, "{}", json),
        };
    }

    private static string MutatedCreate(Random random)
    {
        var body = ApiFixture.CreateBody(Guid.NewGuid().ToString());
        var field = new[] { "analysis_id", "project_id", "registry_url", "image_url", "registry_user", "registry_password", "kong_token", "restart_counter", "progress" }[random.Next(9)];
        var bad = field switch
        {
            "restart_counter" => Pick(random, ["-1", "10", "1.5", "\"3\"", "1e9", "[]"]),
            "progress" => Pick(random, ["-1", "101", "50.5", "\"50\"", "{}"]),
            "analysis_id" or "project_id" => Pick(random, ["\"all\"", "\"x\"", "\"" + new string('f', 36) + "\"", "42", "null", "[]"]),
            _ => Pick(random, ["null", "42", "\"\"", "\"a\\nb\"", "\"a\\u0000b\"", "\"" + new string('x', 5000) + "\"", "{}", "[\"x\"]"]),
        };
        var text = body.ToJsonString();
        var node = JsonNode.Parse(text)!.AsObject();
        node[field] = JsonNode.Parse(bad);
        return node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static string MutatedLine(Random random, string victim)
    {
        var node = Line(victim);
        var field = new[] { "log", "log_type", "analysis_id", "status", "progress" }[random.Next(5)];
        node[field] = field switch
        {
            "log" => JsonNode.Parse(Pick(random, ["null", "42", "{}", "[]", "true"])),
            "log_type" => JsonNode.Parse(Pick(random, ["\"INFO\"", "\"verbose\"", "\"\"", "null", "3", "\"info\\n\""])),
            "analysis_id" => JsonNode.Parse(Pick(random, ["\"all\"", "\"" + Guid.NewGuid() + "\"", "\"../x\"", "null", "1"])),
            "status" => JsonNode.Parse(Pick(random, ["\"running\"", "\"EXECUTING\"", "\"\"", "null", "[]", "\"stuck; drop\""])),
            _ => JsonNode.Parse(Pick(random, ["-1", "101", "\"50\"", "50.5", "1e10", "{}"])),
        };
        return node.ToJsonString();
    }

    private static JsonObject Line(string analysisId) => new() { ["log"] = "fuzz", ["log_type"] = "info", ["analysis_id"] = analysisId, ["status"] = "executing" };

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string Shorten(string? text) => text is null ? "∅" : text.Length > 120 ? text[..120] + "…" : text;
}
