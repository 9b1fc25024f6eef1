using System.Net;
using System.Text.Json.Nodes;

using Flame.DaprSim.Tests.Support;

namespace Flame.DaprSim.Tests.State;

/// <summary>The HTTP state API (Dapr docs: state API; daprd: pkg/api/http/http.go, etagError → 409; transaction → 500).</summary>
public sealed class StateHttpTests
{
    [Fact]
    public async Task Save_get_etag_conflicts_bulk_and_transactions_over_http()
    {
        await using var app = await TestApp.StartAsync((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.StateStore), Sim.App("lifecycle", app.Port)));
        using var http = Sim.Http(sim.Sidecar("lifecycle"));

        (await http.PostAsync("/v1.0/state/statestore", Sim.Json("""[{"key":"a","value":{"n":1}},{"key":"b","value":"text"}]"""))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var got = await http.GetAsync("/v1.0/state/statestore/a");
        got.StatusCode.Should().Be(HttpStatusCode.OK);
        (await got.Content.ReadAsStringAsync()).Should().Be("""{"n":1}""");
        var etag = got.Headers.ETag?.Tag ?? got.Headers.GetValues("ETag").Single();
        (await http.GetAsync("/v1.0/state/statestore/missing")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        using var stale = await http.PostAsync("/v1.0/state/statestore", Sim.Json($$$"""[{"key":"a","value":2,"etag":"{{{Guid.NewGuid()}}}","options":{"concurrency":"first-write"}}]"""));
        stale.StatusCode.Should().Be(HttpStatusCode.Conflict);
        JsonNode.Parse(await stale.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>().Should().Be("ERR_STATE_SAVE");
        (await http.PostAsync("/v1.0/state/statestore", Sim.Json($$"""[{"key":"a","value":2,"etag":"{{etag}}"}]"""))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/v1.0/state/statestore/b");
        delete.Headers.TryAddWithoutValidation("If-Match", Guid.NewGuid().ToString());
        (await http.SendAsync(delete)).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var bulk = JsonNode.Parse(await (await http.PostAsync("/v1.0/state/statestore/bulk", Sim.Json("""{"keys":["a","b","zz"],"parallelism":10}"""))).Content.ReadAsStringAsync())!.AsArray();
        bulk.Select(i => i!["key"]!.GetValue<string>()).Should().BeEquivalentTo(["a", "b", "zz"]);
        bulk.Single(i => i!["key"]!.GetValue<string>() == "b")!["data"]!.GetValue<string>().Should().Be("text");
        bulk.Single(i => i!["key"]!.GetValue<string>() == "zz")!.AsObject().ContainsKey("data").Should().BeFalse();

        using var conflict = await http.PostAsync("/v1.0/state/statestore/transaction", Sim.Json($$$"""
            {"operations":[{"operation":"upsert","request":{"key":"c","value":1}},
                           {"operation":"delete","request":{"key":"a","etag":"{{{Guid.NewGuid()}}}"}}]}
            """));
        conflict.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        JsonNode.Parse(await conflict.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>().Should().Be("ERR_STATE_TRANSACTION");
        sim.StateEntries("statestore", "lifecycle").Keys.Should().BeEquivalentTo(["a", "b"]);
    }

    [Fact]
    public async Task A_scoped_out_store_answers_500_not_configured_with_the_app_id()
    {
        await using var app = await TestApp.StartAsync((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Components, Sim.App("api", app.Port)));
        using var http = Sim.Http(sim.Sidecar("api"));

        using var response = await http.GetAsync("/v1.0/state/statestore/k");
        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["errorCode"]!.GetValue<string>().Should().Be("ERR_STATE_STORE_NOT_CONFIGURED");
        body["details"]![0]!["reason"]!.GetValue<string>().Should().Be("DAPR_STATE_NOT_CONFIGURED");
        body["details"]![0]!["metadata"]!["appID"]!.GetValue<string>().Should().Be("api");
    }
}
