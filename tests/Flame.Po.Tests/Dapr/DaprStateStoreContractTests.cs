using System.Net;
using System.Text.Json;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Flame.Po.Tests.Support;
using Microsoft.Extensions.Options;

namespace Flame.Po.Tests.Dapr;

/// <summary>Every call of <see cref="DaprStateStore"/> against the state API reference (reference/dapr.md §2.2).</summary>
public sealed class DaprStateStoreContractTests : IDisposable
{
    private sealed record Record(string Status, int Progress);

    private readonly RecordingHandler _sidecar = new();

    public void Dispose() => _sidecar.Dispose();

    private DaprStateStore Store(string? apiToken = "tok-123")
    {
        var settings = Options.Create(new DaprSettings { HttpPort = 3500, ApiToken = apiToken });
        var handler = new DaprSidecarHandler(settings) { InnerHandler = _sidecar };
        return new DaprStateStore(new HttpClient(handler) { BaseAddress = settings.Value.SidecarUri }, settings);
    }

    [Fact]
    public async Task Get_reads_the_value_and_the_unquoted_etag_header()
    {
        _sidecar.Respond(HttpStatusCode.OK, """{"status":"executing","progress":40}""", r => r.Headers.TryAddWithoutValidation("ETag", "7f3c"));

        var entry = await Store().GetAsync("analysis/3fa85f64", CancellationToken.None);

        var request = _sidecar.Requests.Single();
        request.Method.Should().Be(HttpMethod.Get);
        request.Uri.ToString().Should().Be("http://127.0.0.1:3500/v1.0/state/statestore/analysis%2F3fa85f64");
        request.Headers["dapr-api-token"].Should().Be("tok-123");
        request.Body.Should().BeNull();
        entry!.ETag.Should().Be("7f3c");
        entry.Get<Record>().Should().Be(new Record("executing", 40));
    }

    [Fact]
    public async Task Get_of_a_missing_key_is_204_and_reads_as_null()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        (await Store().GetAsync("k", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task No_api_token_header_when_none_is_configured()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        await Store(apiToken: null).GetAsync("k", CancellationToken.None);

        _sidecar.Requests.Single().Headers.Should().NotContainKey("dapr-api-token");
    }

    [Fact]
    public async Task Save_posts_an_array_with_value_etag_and_first_write()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        await Store().SaveAsync("k", new Record("started", 0), "e1", StateConcurrency.FirstWrite, CancellationToken.None);

        var request = _sidecar.Requests.Single();
        request.Method.Should().Be(HttpMethod.Post);
        request.PathAndQuery.Should().Be("/v1.0/state/statestore");
        request.ContentType.Should().Be("application/json");
        JsonDocument.Parse(request.Body!).RootElement.GetRawText().Should().Be(
            """[{"key":"k","value":{"status":"started","progress":0},"etag":"e1","options":{"concurrency":"first-write"}}]""");
    }

    [Fact]
    public async Task Save_without_etag_in_last_write_mode_sends_no_options()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        await Store().SaveAsync("k", 5, cancellationToken: CancellationToken.None);

        _sidecar.Requests.Single().Body.Should().Be("""[{"key":"k","value":5}]""");
    }

    [Fact]
    public async Task An_etag_always_travels_with_first_write_so_it_is_checked()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        await Store().SaveAsync("k", 5, "e9", StateConcurrency.LastWrite, CancellationToken.None);

        _sidecar.Requests.Single().Body.Should().Contain("\"options\":{\"concurrency\":\"first-write\"}");
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict, """{"errorCode":"ERR_STATE_SAVE","message":"possible etag mismatch"}""", typeof(StateConflictException))]
    [InlineData(HttpStatusCode.BadRequest, """{"errorCode":"ERR_STATE_STORE_NOT_FOUND","message":"state store statestore is not found"}""", typeof(StateStoreException))]
    [InlineData(HttpStatusCode.InternalServerError, """{"errorCode":"ERR_STATE_SAVE","message":"connection refused"}""", typeof(StateStoreUnavailableException))]
    [InlineData(HttpStatusCode.ServiceUnavailable, "", typeof(StateStoreUnavailableException))]
    public async Task Save_maps_every_documented_failure(HttpStatusCode status, string body, Type expected)
    {
        _sidecar.Respond(status, body.Length == 0 ? null : body);

        var act = () => Store().SaveAsync("k", 1, cancellationToken: CancellationToken.None);

        (await act.Should().ThrowAsync<StateStoreException>()).Which.Should().BeOfType(expected);
    }

    [Fact]
    public async Task An_unreachable_sidecar_is_unavailable()
    {
        _sidecar.Fail(new HttpRequestException("Connection refused"));

        var act = () => Store().GetAsync("k", CancellationToken.None);

        await act.Should().ThrowAsync<StateStoreUnavailableException>().WithMessage("*unreachable*");
    }

    [Fact]
    public async Task Delete_sends_if_match_and_first_write()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        await Store().DeleteAsync("k", "e1", CancellationToken.None);

        var request = _sidecar.Requests.Single();
        request.Method.Should().Be(HttpMethod.Delete);
        request.PathAndQuery.Should().Be("/v1.0/state/statestore/k?concurrency=first-write");
        request.Headers["If-Match"].Should().Be("e1");
    }

    [Fact]
    public async Task Delete_without_etag_has_no_condition_and_a_409_is_a_conflict()
    {
        _sidecar.Respond(HttpStatusCode.NoContent).Respond(HttpStatusCode.Conflict, """{"errorCode":"ERR_STATE_DELETE","message":"possible etag mismatch"}""");

        await Store().DeleteAsync("k", null, CancellationToken.None);
        var act = () => Store().DeleteAsync("k", "stale", CancellationToken.None);

        _sidecar.Requests[0].PathAndQuery.Should().Be("/v1.0/state/statestore/k");
        _sidecar.Requests[0].Headers.Should().NotContainKey("If-Match");
        await act.Should().ThrowAsync<StateConflictException>();
    }

    [Fact]
    public async Task Bulk_get_posts_keys_and_reads_data_and_etags_skipping_missing_keys()
    {
        _sidecar.Respond(HttpStatusCode.OK, """[{"key":"a","data":{"status":"started","progress":1},"etag":"1"},{"key":"b"},{"key":"c","data":3,"etag":"9"}]""");

        var entries = await Store().GetBulkAsync(["a", "b", "c"], CancellationToken.None);

        var request = _sidecar.Requests.Single();
        request.Method.Should().Be(HttpMethod.Post);
        request.PathAndQuery.Should().Be("/v1.0/state/statestore/bulk");
        request.Body.Should().Be("""{"keys":["a","b","c"],"parallelism":10}""");
        entries.Select(e => (e.Key, e.ETag)).Should().Equal(("a", "1"), ("c", "9"));
        entries[0].Get<Record>().Progress.Should().Be(1);
    }

    [Fact]
    public async Task Transaction_posts_operations_in_order()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        await Store().TransactAsync(
            [StateOperation.Upsert("r", new Record("started", 0), "e1", StateConcurrency.FirstWrite), StateOperation.Delete("old", "e2"), StateOperation.Upsert("i", 1)],
            CancellationToken.None);

        var request = _sidecar.Requests.Single();
        request.PathAndQuery.Should().Be("/v1.0/state/statestore/transaction");
        request.Body.Should().Be(
            """{"operations":[{"operation":"upsert","request":{"key":"r","value":{"status":"started","progress":0},"etag":"e1","options":{"concurrency":"first-write"}}},{"operation":"delete","request":{"key":"old","etag":"e2","options":{"concurrency":"first-write"}}},{"operation":"upsert","request":{"key":"i","value":1}}]}""");
    }

    [Theory]
    [InlineData("""{"errorCode":"ERR_STATE_TRANSACTION","message":"error while executing state transaction: possible etag mismatch. error from state store: no item was updated"}""", typeof(StateConflictException))]
    [InlineData("""{"errorCode":"ERR_STATE_TRANSACTION","message":"error while executing state transaction: connection reset"}""", typeof(StateStoreUnavailableException))]
    public async Task A_failed_transaction_is_a_conflict_only_when_dapr_says_etag_mismatch(string body, Type expected)
    {
        _sidecar.Respond(HttpStatusCode.InternalServerError, body);

        var act = () => Store().TransactAsync([StateOperation.Delete("k", "e")], CancellationToken.None);

        (await act.Should().ThrowAsync<StateStoreException>()).Which.Should().BeOfType(expected);
    }
}
