using System.Net;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Api;
using Flame.Po.IntegrationTests.Lifecycle;

namespace Flame.Po.IntegrationTests.LogService;

/// <summary>
/// <c>POST /po/stream_logs</c> over HTTP against the whole host: the Sandbox's analyses stream their lines with their
/// own Keycloak tokens, as the SDK does; the tests also send lines themselves to probe retries and limits.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class StreamLogsTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private const string Path = "/po/stream_logs";

    private static JsonObject Line(string analysisId, string log = "epoch 1 done", string level = "info", string status = "executing", int? progress = null)
    {
        var body = new JsonObject { ["log"] = log, ["log_type"] = level, ["analysis_id"] = analysisId, ["status"] = status };
        if (progress is not null)
        {
            body["progress"] = progress;
        }

        return body;
    }

    private async Task<HttpResponseMessage> SendAsync(string analysisId, JsonObject body, string? idempotencyKey = null, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", token ?? f.H.Sandbox.Tokens.Analysis(analysisId));
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await f.Http.SendAsync(request);
    }

    private async Task StoredAsync(string analysisId, JsonObject body, string? idempotencyKey = null)
    {
        using var response = await SendAsync(analysisId, body, idempotencyKey);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        text.Should().Be("null", "the old service answers null, and clients may rely on it");
    }

    [Fact]
    public async Task The_sandbox_analysis_streams_its_lines_and_progress_reaches_the_status_route()
    {
        f.H.Sandbox.StreamLogsUrl = new Uri(f.Http.BaseAddress!, Path);
        try
        {
            var id = Guid.NewGuid().ToString();
            (await f.SendAsync(HttpMethod.Post, "/po/", f.H.Sandbox.Tokens.Management(), ApiFixture.CreateBody(id, "harbor.sandbox.local/sim/ok:runtime-400s_progress-4"))).EnsureSuccessStatusCode();

            // 25 % and 50 % can only come from stream_logs: healthz carries no progress, and only "executed" sets 100.
            var midway = await f.H.WaitForAsync(id, r => r.Progress >= 50 || AnalysisStatus.IsTerminal(r.Status));
            midway.Status.Should().Be(AnalysisStatus.Executing, midway.Reason);
            using (var status = await f.SendAsync(HttpMethod.Get, $"/po/status/{id}", f.H.Sandbox.Tokens.Management()))
            {
                var json = JsonNode.Parse(await status.Content.ReadAsStringAsync())!;
                json[id]!["progress"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(50);
            }

            await f.H.WaitForFinishedAsync(id);
            var rows = await LogRows.WaitForAsync(f.H, id, r => r.Any(l => l.Message == "analysis finished"));
            rows.Where(r => r.Source == "analysis").Select(r => r.Message).Should().Equal("step 1/4 done", "step 2/4 done", "step 3/4 done", "analysis finished");
            rows.Where(r => r.Source == "analysis").Select(r => r.Progress).Should().Equal(25, 50, 75, 100);
            rows.Should().OnlyContain(r => r.DeploymentName == $"analysis-{id}-1");
        }
        finally
        {
            f.H.Sandbox.StreamLogsUrl = null;
        }
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_is_stored_once()
    {
        var id = f.Victim;
        var before = (await LogRows.OfAsync(f.H, id)).Count;

        await StoredAsync(id, Line(id, "retried line"), "line-0001");
        await StoredAsync(id, Line(id, "retried line"), "line-0001");
        await StoredAsync(id, Line(id, "retried line"), "line-0002");

        var rows = await LogRows.OfAsync(f.H, id);
        rows.Count.Should().Be(before + 2, "the same key is one line; another key is another line");
    }

    [Fact]
    public async Task An_identical_line_resent_right_after_itself_is_a_retry_but_not_after_another_line()
    {
        var id = f.Victim;
        var before = (await LogRows.OfAsync(f.H, id)).Count;

        await StoredAsync(id, Line(id, "waiting for partner", progress: 5));
        await StoredAsync(id, Line(id, "waiting for partner", progress: 5));
        await StoredAsync(id, Line(id, "partner answered", progress: 5));
        await StoredAsync(id, Line(id, "waiting for partner", progress: 5));

        (await LogRows.OfAsync(f.H, id)).Skip(before).Select(r => r.Message).Should().Equal("waiting for partner", "partner answered", "waiting for partner");
    }

    [Fact]
    public async Task Analyses_streaming_at_once_with_racing_retries_keep_every_line_once_and_in_order()
    {
        const int Lines = 40;
        var ids = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid().ToString()).ToList();

        // The analyses stream side by side (their lines share batches); every fifth line is also sent twice at
        // the same time with its key, as a client whose first attempt timed out would.
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = ids.Count }, async (id, _) =>
        {
            for (var i = 0; i < Lines; i++)
            {
                var body = Line(id, $"line {i}", progress: i * 2);
                var sends = Enumerable.Range(0, i % 5 == 0 ? 3 : 1).Select(_ => StoredAsync(id, body, $"key-{i}"));
                await Task.WhenAll(sends);
            }
        });

        foreach (var id in ids)
        {
            (await LogRows.OfAsync(f.H, id)).Select(r => r.Message).Should().Equal(Enumerable.Range(0, Lines).Select(i => $"line {i}"), id);
            (await f.H.Database.CountAsync($"SELECT progress::bigint FROM log_stream WHERE analysis_id = '{id}'")).Should().Be((Lines - 1) * 2);
        }
    }

    [Fact]
    public async Task Progress_never_goes_down_and_text_is_kept_as_sent()
    {
        var id = f.Victim;
        await StoredAsync(id, Line(id, "first", progress: 40));
        await StoredAsync(id, Line(id, "Größe 12 µg — 患者 ✓\nsecond line", progress: 20));

        var record = await f.H.WaitForAsync(id, r => r.Progress >= 40);
        await Task.Delay(500);
        (await f.RecordAsync(id))!.Progress.Should().Be(record.Progress).And.BeGreaterThanOrEqualTo(40);
        (await f.H.Database.CountAsync($"SELECT progress::bigint FROM log_stream WHERE analysis_id = '{id}'")).Should().BeGreaterThanOrEqualTo(40);
        (await LogRows.OfAsync(f.H, id))[^1].Message.Should().Be("Größe 12 µg — 患者 ✓\nsecond line");
    }

    [Fact]
    public async Task An_upper_case_analysis_id_is_stored_under_its_lower_case_form()
    {
        var id = f.Victim;
        await StoredAsync(id, Line(id.ToUpperInvariant(), "upper-case id"));

        (await LogRows.OfAsync(f.H, id))[^1].Message.Should().Be("upper-case id");
    }

    [Fact]
    public async Task A_long_message_is_stored_cut_with_a_note()
    {
        var id = f.Victim;
        await StoredAsync(id, Line(id, new string('x', 20_000)));

        var message = (await LogRows.OfAsync(f.H, id))[^1].Message;
        message.Should().StartWith(new string('x', 16_384)).And.EndWith("[3616 characters cut]");
    }

    [Fact]
    public async Task Only_the_analysis_itself_may_stream_and_a_refusal_stores_nothing()
    {
        var id = f.Victim;
        var other = Guid.NewGuid().ToString();
        var before = await LogRows.CountAsync(f.H);

        using (var management = await SendAsync(id, Line(id), token: f.H.Sandbox.Tokens.Management()))
        {
            await ApiFixture.ShouldBeProblemAsync(management, 403);
        }

        using (var foreign = await SendAsync(id, Line(id), token: f.H.Sandbox.Tokens.Analysis(other)))
        {
            await ApiFixture.ShouldBeProblemAsync(foreign, 403);
        }

        using (var anonymous = await f.SendRawAsync(HttpMethod.Post, Path, null, Line(id).ToJsonString()))
        {
            anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            anonymous.Headers.WwwAuthenticate.ToString().Should().StartWith("Bearer");
        }

        using (var expired = await SendAsync(id, Line(id), token: f.H.Sandbox.Tokens.Expired(id)))
        {
            expired.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        (await LogRows.CountAsync(f.H)).Should().Be(before);
    }

    public static TheoryData<string, string, int> BadBodies()
    {
        const string Id = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
        static string Body(string log = "\"x\"", string level = "\"info\"", string id = $"\"{Id}\"", string status = "\"executing\"", string extra = "") =>
            $"{{\"log\":{log},\"log_type\":{level},\"analysis_id\":{id},\"status\":{status}{extra}}}";
        return new TheoryData<string, string, int>
        {
            { "not json", "{\"log\":", 422 },
            { "array", "[]", 422 },
            { "string", "\"log\"", 422 },
            { "null", "null", 422 },
            { "empty object", "{}", 422 },
            { "log missing", $"{{\"log_type\":\"info\",\"analysis_id\":\"{Id}\",\"status\":\"executing\"}}", 422 },
            { "log a number", Body(log: "42"), 422 },
            { "log an object", Body(log: "{\"a\":1}"), 422 },
            { "log null", Body(log: "null"), 422 },
            { "level unknown", Body(level: "\"verbose\""), 422 },
            { "level upper case", Body(level: "\"INFO\""), 422 },
            { "level a number", Body(level: "3"), 422 },
            { "level injection", Body(level: "\"info'; DROP TABLE log_line; --\""), 422 },
            { "status unknown", Body(status: "\"running\""), 422 },
            { "status missing", $"{{\"log\":\"x\",\"log_type\":\"info\",\"analysis_id\":\"{Id}\"}}", 422 },
            { "status injection", Body(status: "\"executing\\n\\r<script>alert(1)</script>\""), 422 },
            { "id not a uuid", Body(id: "\"all\""), 422 },
            { "id path traversal", Body(id: "\"../../etc/passwd\""), 422 },
            { "id a number", Body(id: "7"), 422 },
            { "id with braces", Body(id: "\"{3fa85f64-5717-4562-b3fc-2c963f66afa6}\""), 422 },
            { "progress negative", Body(extra: ",\"progress\":-1"), 422 },
            { "progress above 100", Body(extra: ",\"progress\":101"), 422 },
            { "progress a string", Body(extra: ",\"progress\":\"50\""), 422 },
            { "progress a fraction", Body(extra: ",\"progress\":50.5"), 422 },
            { "progress huge", Body(extra: ",\"progress\":1e40"), 422 },
            { "too deep", new string('[', 100) + new string(']', 100), 422 },
            { "huge body", Body(log: "\"" + new string('x', 300 * 1024) + "\""), 413 },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_a_problem_and_stores_nothing(string name, string body, int status)
    {
        _ = name;
        var before = await LogRows.CountAsync(f.H);
        var token = f.H.Sandbox.Tokens.Analysis("3fa85f64-5717-4562-b3fc-2c963f66afa6");

        using var response = await f.SendRawAsync(HttpMethod.Post, Path, "Bearer " + token, body);

        await ApiFixture.ShouldBeProblemAsync(response, status);
        (await LogRows.CountAsync(f.H)).Should().Be(before);
    }

    [Theory]
    [InlineData("text/plain", 415)]
    [InlineData("application/xml", 415)]
    public async Task A_body_that_is_not_json_is_refused(string contentType, int status)
    {
        var id = f.Victim;
        var before = await LogRows.CountAsync(f.H);

        using var response = await f.SendRawAsync(HttpMethod.Post, Path, "Bearer " + f.H.Sandbox.Tokens.Analysis(id), Line(id).ToJsonString(), contentType);

        await ApiFixture.ShouldBeProblemAsync(response, status);
        (await LogRows.CountAsync(f.H)).Should().Be(before);
    }

    [Theory]
    [InlineData("key with spaces")]
    [InlineData("tab\tkey")]
    [InlineData("x")]
    public async Task An_idempotency_key_must_be_short_visible_ascii(string key)
    {
        var id = f.Victim;
        var before = await LogRows.CountAsync(f.H);
        var sent = key == "x" ? new string('k', 201) : key;

        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(Line(id).ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", f.H.Sandbox.Tokens.Analysis(id));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", sent);
        using var response = await f.Http.SendAsync(request);

        await ApiFixture.ShouldBeProblemAsync(response, 422);
        (await LogRows.CountAsync(f.H)).Should().Be(before);
    }
}
