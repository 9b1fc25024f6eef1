using System.Globalization;
using System.Net;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.IntegrationTests.Support;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// The Api while its database is really down (a private PostgreSQL server stopped and started again): reads and
/// writes answer 503 problem+json — never a 500 or a stack trace — and recover by themselves, with the same host.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiDependencyDownTests
{
    [Fact]
    public async Task With_postgres_down_requests_are_503_and_they_succeed_again_once_it_is_back()
    {
        await using var postgres = await PrivatePostgresServer.StartAsync();
        var settings = postgres.Settings;
        await using var h = await LifecycleHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["POSTGRES_HOST"] = settings.Host,
                ["POSTGRES_PORT"] = settings.Port.ToString(CultureInfo.InvariantCulture),
                ["POSTGRES_USER"] = settings.User,
                ["POSTGRES_PASSWORD"] = settings.Password,
                ["POSTGRES_DB"] = settings.Database,
                ["POSTGRES_CONNECT_TIMEOUT"] = "2",
            },
            timeScale: 0.05);
        var existing = Guid.NewGuid().ToString();
        (await SendAsync(h, HttpMethod.Post, "/po/", ApiFixture.CreateBody(existing))).StatusCode.Should().Be(HttpStatusCode.OK);

        await postgres.StopAsync();
        var fresh = Guid.NewGuid().ToString();
        foreach (var (method, path, body) in Requests(existing, fresh))
        {
            using var response = await SendAsync(h, method, path, body);

            await ApiFixture.ShouldBeProblemAsync(response, 503);
        }

        using (var line = await StreamLineAsync(h, existing, "sent while the database is down"))
        {
            await ApiFixture.ShouldBeProblemAsync(line, 503);
        }

        await postgres.StartAgainAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            using var probe = await SendAsync(h, HttpMethod.Get, "/po/status", null);
            status = probe.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        status.Should().Be(HttpStatusCode.OK, "the host recovers without a restart");
        foreach (var (method, path, body) in Requests(existing, fresh))
        {
            using var response = await SendAsync(h, method, path, body);

            response.StatusCode.Should().Be(HttpStatusCode.OK, $"{method} {path}: {await response.Content.ReadAsStringAsync()}");
        }

        (await h.Repository.GetAsync(fresh, CancellationToken.None)).Should().NotBeNull("the create after the outage was recorded");
        using var stored = await StreamLineAsync(h, existing, "sent after the outage");
        stored.StatusCode.Should().Be(HttpStatusCode.OK, "the log writer outlives a failed batch");
        await using var store = Npgsql.NpgsqlDataSource.Create(settings.ToConnectionString());
        await using var lines = store.CreateCommand($"SELECT string_agg(message, '|') FROM log_line WHERE analysis_id = '{existing}'");
        (await lines.ExecuteScalarAsync()).Should().Be("sent after the outage", "the refused line was not stored");
    }

    private static IEnumerable<(HttpMethod Method, string Path, System.Text.Json.Nodes.JsonObject? Body)> Requests(string existing, string fresh)
    {
        yield return (HttpMethod.Get, "/po/status", null);
        yield return (HttpMethod.Get, $"/po/status/{existing}", null);
        yield return (HttpMethod.Get, "/po/history", null);
        yield return (HttpMethod.Get, $"/po/history/{existing}", null);
        yield return (HttpMethod.Get, "/po/pods", null);
        yield return (HttpMethod.Get, $"/po/logs/{existing}", null);
        yield return (HttpMethod.Post, "/po/", ApiFixture.CreateBody(fresh));
    }

    private static async Task<HttpResponseMessage> StreamLineAsync(LifecycleHarness h, string analysisId, string text)
    {
        var body = new System.Text.Json.Nodes.JsonObject { ["log"] = text, ["log_type"] = "info", ["analysis_id"] = analysisId, ["status"] = "executing" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/stream_logs") { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", h.Sandbox.Tokens.Analysis(analysisId));
        return await h.Host.Http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SendAsync(LifecycleHarness h, HttpMethod method, string path, System.Text.Json.Nodes.JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", h.Sandbox.Tokens.Management());
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        return await h.Host.Http.SendAsync(request);
    }
}
