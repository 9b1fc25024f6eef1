using System.Net;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Flame.Po.Tests.Support;
using Microsoft.Extensions.Options;

namespace Flame.Po.Tests.Dapr;

/// <summary>
/// The documented failure answers of every state call (reference/dapr.md §2.2: 400 bad request or store
/// missing, 409 ETag mismatch on save and delete, 500 failure, and a transaction's 500 ERR_STATE_TRANSACTION),
/// plus the ETag header forms daprd sends.
/// </summary>
public sealed class DaprStateStoreErrorContractTests : IDisposable
{
    private const string StoreMissing = """{"errorCode":"ERR_STATE_STORE_NOT_FOUND","message":"state store statestore is not found"}""";
    private const string Failure = """{"errorCode":"ERR_STATE_GET","message":"fail to get k from state store statestore: connection refused"}""";

    private readonly RecordingHandler _sidecar = new();

    public void Dispose() => _sidecar.Dispose();

    private DaprStateStore Store()
    {
        var settings = Options.Create(new DaprSettings { HttpPort = 3500, ApiToken = "tok", StateStore = "statestore" });
        return new DaprStateStore(new HttpClient(new DaprSidecarHandler(settings) { InnerHandler = _sidecar }) { BaseAddress = settings.Value.SidecarUri }, settings);
    }

    public static TheoryData<string, Func<DaprStateStore, Task>> Calls => new()
    {
        { "get", s => s.GetAsync("k", CancellationToken.None) },
        { "bulk", s => s.GetBulkAsync(["k"], CancellationToken.None) },
        { "save", s => s.SaveAsync("k", System.Text.Json.JsonDocument.Parse("1").RootElement, null, StateConcurrency.LastWrite, CancellationToken.None) },
        { "delete", s => s.DeleteAsync("k", null, CancellationToken.None) },
        { "transaction", s => s.TransactAsync([StateOperation.Delete("k")], CancellationToken.None) },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_400_is_a_rejected_request_not_an_outage(string call, Func<DaprStateStore, Task> act)
    {
        _sidecar.Respond(HttpStatusCode.BadRequest, StoreMissing);

        (await act.Invoking(a => a(Store())).Should().ThrowAsync<StateStoreException>(call))
            .Which.Should().BeOfType<StateStoreException>().Which.Message.Should().Contain("ERR_STATE_STORE_NOT_FOUND");
        _sidecar.Requests.Single().Headers["dapr-api-token"].Should().Be("tok", "every sidecar call carries the API token");
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_500_without_etag_mismatch_means_the_store_is_unavailable(string call, Func<DaprStateStore, Task> act)
    {
        _sidecar.Respond(HttpStatusCode.InternalServerError, Failure);

        await act.Invoking(a => a(Store())).Should().ThrowAsync<StateStoreUnavailableException>(call);
        var request = _sidecar.Requests.Single();
        request.Uri.AbsolutePath.Should().StartWith("/v1.0/state/statestore");
        request.ContentType.Should().Be(request.Body is null ? null : "application/json", "JSON bodies are sent as application/json");
    }

    [Fact]
    public async Task A_quoted_etag_header_is_read_without_its_quotes()
    {
        _sidecar.Respond(HttpStatusCode.OK, "\"text\"", r => r.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"8d3f0c1e-5b2a-4b7e-9f61-2f4a1c0d9e77\""));

        var entry = await Store().GetAsync("k", CancellationToken.None);

        entry!.ETag.Should().Be("8d3f0c1e-5b2a-4b7e-9f61-2f4a1c0d9e77");
        entry.Get<string>().Should().Be("text");
    }

    [Fact]
    public async Task Get_sends_no_body_and_no_content_type()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        await Store().GetAsync("analysis/x", CancellationToken.None);

        var request = _sidecar.Requests.Single();
        request.ContentType.Should().BeNull();
        request.Body.Should().BeNull();
        request.Headers.Should().ContainKey("dapr-api-token").And.NotContainKey("If-Match");
    }

    [Fact]
    public async Task A_bulk_get_of_no_keys_does_not_call_the_sidecar()
    {
        (await Store().GetBulkAsync([], CancellationToken.None)).Should().BeEmpty();

        _sidecar.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_with_an_etag_that_dapr_reports_as_mismatch_is_a_conflict_and_a_malformed_one_is_rejected()
    {
        _sidecar.Respond(HttpStatusCode.Conflict, """{"errorCode":"ERR_STATE_DELETE","message":"failed deleting state with key k: possible etag mismatch. error from state store: ERROR: no item was updated"}""")
            .Respond(HttpStatusCode.BadRequest, """{"errorCode":"ERR_STATE_DELETE","message":"failed deleting state with key k: invalid etag value: the etag is not a valid uuid"}""");

        await Store().Invoking(s => s.DeleteAsync("k", "stale", CancellationToken.None)).Should().ThrowAsync<StateConflictException>();
        (await Store().Invoking(s => s.DeleteAsync("k", "not-a-uuid", CancellationToken.None)).Should().ThrowAsync<StateStoreException>())
            .Which.Should().BeOfType<StateStoreException>();

        _sidecar.Requests.Select(r => r.Headers["If-Match"]).Should().Equal("stale", "not-a-uuid");
    }
}
