using System.Net;
using System.Text.Json;
using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>The success shapes of create, status, stop and delete (docs/compatibility.md#routes) over HTTP, with a management token.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiContractTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private string Token => f.H.Sandbox.Tokens.Management();

    [Fact]
    public async Task Create_answers_the_id_with_starting_and_the_analysis_is_recorded()
    {
        var id = Guid.NewGuid().ToString();

        using var response = await f.SendAsync(HttpMethod.Post, "/po/", Token, ApiFixture.CreateBody(id));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Be($$"""{"{{id}}":"starting"}""");
        var record = await f.RecordAsync(id);
        record.Should().NotBeNull();
        record!.Desired.Should().Be(DesiredState.Running);
        f.H.ObjectsOf(id).Should().Contain(o => o.StartsWith("secrets/", StringComparison.Ordinal), "create writes the analysis' Secrets before it answers");
    }

    [Fact]
    public async Task Create_without_trailing_slash_is_served_too_and_repeating_it_is_idempotent()
    {
        var id = Guid.NewGuid().ToString();
        var body = ApiFixture.CreateBody(id);

        using var first = await f.SendAsync(HttpMethod.Post, "/po", Token, body);
        using var again = await f.SendAsync(HttpMethod.Post, "/po/", Token, body);

        first.StatusCode.Should().Be(HttpStatusCode.OK, "no 307 redirect as in the old service");
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.EnumerateObject().Single().Name.Should().Be(id);
    }

    [Fact]
    public async Task Create_normalises_upper_case_ids_and_ignores_unknown_fields()
    {
        var id = Guid.NewGuid().ToString();
        var body = ApiFixture.CreateBody(id.ToUpperInvariant());
        body["something_new"] = "ignored";

        using var response = await f.SendAsync(HttpMethod.Post, "/po/", Token, body);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be($$"""{"{{id}}":"starting"}""");
        (await f.RecordAsync(id)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_different_create_for_an_existing_id_is_409()
    {
        var body = ApiFixture.CreateBody(f.Victim, "harbor.sandbox.local/sim/other");

        using var response = await f.SendAsync(HttpMethod.Post, "/po/", Token, body);

        await ApiFixture.ShouldBeProblemAsync(response, 409);
    }

    [Fact]
    public async Task Status_lists_every_analysis_as_status_and_progress_only()
    {
        using var response = await f.SendAsync(HttpMethod.Get, "/po/status", Token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var victim = body.GetProperty(f.Victim);
        victim.EnumerateObject().Select(p => p.Name).Should().Equal("status", "progress");
        victim.GetProperty("status").GetString().Should().Be(AnalysisStatus.Executing);
        victim.GetProperty("progress").ValueKind.Should().Be(JsonValueKind.Number);
    }

    [Fact]
    public async Task Status_of_one_analysis_has_the_same_shape_and_unknown_ids_are_404()
    {
        using var one = await f.SendAsync(HttpMethod.Get, $"/po/status/{f.Victim.ToUpperInvariant()}", Token);
        using var unknown = await f.SendAsync(HttpMethod.Get, $"/po/status/{Guid.NewGuid()}", Token);

        one.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await one.Content.ReadAsStringAsync()).RootElement;
        body.EnumerateObject().Single().Name.Should().Be(f.Victim);
        body.GetProperty(f.Victim).EnumerateObject().Select(p => p.Name).Should().Equal("status", "progress");
        await ApiFixture.ShouldBeProblemAsync(unknown, 404);
    }

    [Fact]
    public async Task Stop_and_delete_of_one_analysis_answer_its_status_and_null()
    {
        var id = Guid.NewGuid().ToString();
        (await f.SendAsync(HttpMethod.Post, "/po/", Token, ApiFixture.CreateBody(id))).EnsureSuccessStatusCode();

        using var stop = await f.SendAsync(HttpMethod.Put, $"/po/stop/{id}", Token);
        using var delete = await f.SendAsync(HttpMethod.Delete, $"/po/delete/{id}", Token);

        stop.StatusCode.Should().Be(HttpStatusCode.OK);
        (await stop.Content.ReadAsStringAsync()).Should().Be($$"""{"{{id}}":"stopped"}""");
        delete.StatusCode.Should().Be(HttpStatusCode.OK);
        (await delete.Content.ReadAsStringAsync()).Should().Be($$"""{"{{id}}":null}""");
        await f.H.WaitForAsync(id, r => r.Desired == DesiredState.Deleted);
    }

    [Fact]
    public async Task Stop_and_delete_of_an_unknown_analysis_are_404()
    {
        using var stop = await f.SendAsync(HttpMethod.Put, $"/po/stop/{Guid.NewGuid()}", Token);
        using var delete = await f.SendAsync(HttpMethod.Delete, $"/po/delete/{Guid.NewGuid()}", Token);

        await ApiFixture.ShouldBeProblemAsync(stop, 404);
        await ApiFixture.ShouldBeProblemAsync(delete, 404);
    }

    [Fact]
    public async Task Stop_all_and_delete_all_map_every_analysis()
    {
        await using var own = await ApiFixture.StartAloneAsync();
        var token = own.H.Sandbox.Tokens.Management();
        var id = Guid.NewGuid().ToString();
        (await own.SendAsync(HttpMethod.Post, "/po/", token, ApiFixture.CreateBody(id))).EnsureSuccessStatusCode();

        using var stop = await own.SendAsync(HttpMethod.Put, "/po/stop", token);
        using var delete = await own.SendAsync(HttpMethod.Delete, "/po/delete", token);

        stop.StatusCode.Should().Be(HttpStatusCode.OK);
        var stopped = JsonDocument.Parse(await stop.Content.ReadAsStringAsync()).RootElement;
        stopped.GetProperty(id).GetString().Should().BeOneOf(AnalysisStatus.Stopped, AnalysisStatus.Failed);
        stopped.GetProperty(own.Victim).GetString().Should().Be(AnalysisStatus.Stopped);
        delete.StatusCode.Should().Be(HttpStatusCode.OK);
        var deleted = JsonDocument.Parse(await delete.Content.ReadAsStringAsync()).RootElement;
        deleted.GetProperty(id).ValueKind.Should().Be(JsonValueKind.Null);
        deleted.GetProperty(own.Victim).ValueKind.Should().Be(JsonValueKind.Null);
        (await own.RecordAsync(id) is null or { Desired: DesiredState.Deleted }).Should().BeTrue();
    }

    [Fact]
    public async Task Healthz_stays_open()
    {
        using var response = await f.Http.GetAsync("/po/healthz");

        (await response.Content.ReadAsStringAsync()).Should().Be("""{"status":"ok"}""");
    }
}
