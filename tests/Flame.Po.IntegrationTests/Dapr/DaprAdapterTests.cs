using System.Text.Json;
using Dapr.Client;
using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Flame.Po.IntegrationTests.Support;
using Microsoft.Extensions.Options;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// The Dapr adapters of the state store and publisher, through the Dapr .NET SDK, against the simulated sidecar (which
/// answers as daprd with state.postgresql v2 does): the <see cref="IStateStore"/> contract holds in Dapr mode as it
/// does embedded — ETag conflicts, first-write inserts, atomic transactions, unavailability.
/// </summary>
public sealed class DaprAdapterTests : IAsyncLifetime
{
    private SimulatedSidecar _sidecar = null!;
    private DaprClient _client = null!;
    private DaprStateStore _store = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await SimulatedSidecar.StartAsync();
        var sidecar = _sidecar.Sim.Sidecars[0];
        _client = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{sidecar.GrpcPort}").UseHttpEndpoint($"http://127.0.0.1:{sidecar.HttpPort}").Build();
        _store = new DaprStateStore(_client, Options.Create(new DaprSettings()));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task A_saved_value_reads_back_with_an_etag_and_a_missing_key_reads_as_null()
    {
        await _store.SaveAsync("analysis-a", Json("""{"status":"starting"}"""), null, StateConcurrency.LastWrite, CancellationToken.None);

        var entry = await _store.GetAsync("analysis-a", CancellationToken.None);

        entry!.Value.GetProperty("status").GetString().Should().Be("starting");
        entry.ETag.Should().NotBeNullOrEmpty();
        (await _store.GetAsync("analysis-missing", CancellationToken.None)).Should().BeNull();
        _sidecar.Sim.StateEntries("statestore", "lifecycle").Keys.Should().Contain("analysis-a", "daprd prefixes keys with the app id");
    }

    [Fact]
    public async Task A_save_or_delete_with_a_stale_etag_is_a_conflict_and_the_current_one_succeeds()
    {
        await _store.SaveAsync("k", Json("1"), null, StateConcurrency.LastWrite, CancellationToken.None);
        var first = (await _store.GetAsync("k", CancellationToken.None))!.ETag;
        await _store.SaveAsync("k", Json("2"), first, StateConcurrency.FirstWrite, CancellationToken.None);

        var staleSave = () => _store.SaveAsync("k", Json("3"), first, StateConcurrency.FirstWrite, CancellationToken.None);
        var staleDelete = () => _store.DeleteAsync("k", first, CancellationToken.None);

        await staleSave.Should().ThrowAsync<StateConflictException>();
        await staleDelete.Should().ThrowAsync<StateConflictException>();
        var current = (await _store.GetAsync("k", CancellationToken.None))!;
        current.Value.GetInt32().Should().Be(2);
        await _store.DeleteAsync("k", current.ETag, CancellationToken.None);
        (await _store.GetAsync("k", CancellationToken.None)).Should().BeNull();
        await _store.DeleteAsync("k", null, CancellationToken.None);
    }

    [Fact]
    public async Task First_write_without_an_etag_creates_only_and_last_write_overwrites()
    {
        await _store.SaveAsync("record", Json("1"), null, StateConcurrency.FirstWrite, CancellationToken.None);

        var again = () => _store.SaveAsync("record", Json("2"), null, StateConcurrency.FirstWrite, CancellationToken.None);

        await again.Should().ThrowAsync<StateConflictException>("a second create of the same record must not overwrite it");
        await _store.SaveAsync("record", Json("3"), null, StateConcurrency.LastWrite, CancellationToken.None);
        (await _store.GetAsync("record", CancellationToken.None))!.Value.GetInt32().Should().Be(3);
    }

    [Fact]
    public async Task A_bulk_get_returns_the_keys_that_exist()
    {
        await _store.SaveAsync("b1", Json("1"), null, StateConcurrency.LastWrite, CancellationToken.None);
        await _store.SaveAsync("b2", Json("2"), null, StateConcurrency.LastWrite, CancellationToken.None);

        var entries = await _store.GetBulkAsync(["b1", "b2", "b3"], CancellationToken.None);

        entries.Select(e => (e.Key, e.Value.GetInt32())).Should().BeEquivalentTo([("b1", 1), ("b2", 2)]);
        entries.Should().AllSatisfy(e => e.ETag.Should().NotBeNullOrEmpty());
        (await _store.GetBulkAsync([], CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_transaction_applies_all_or_nothing()
    {
        await _store.SaveAsync("t1", Json("1"), null, StateConcurrency.LastWrite, CancellationToken.None);
        var etag = (await _store.GetAsync("t1", CancellationToken.None))!.ETag;
        await _store.SaveAsync("t1", Json("2"), etag, StateConcurrency.FirstWrite, CancellationToken.None);

        var conflicting = () => _store.TransactAsync([StateOperation.Upsert("t2", 20), StateOperation.Upsert("t1", 10, etag, StateConcurrency.FirstWrite)], CancellationToken.None);

        await conflicting.Should().ThrowAsync<StateConflictException>();
        (await _store.GetAsync("t2", CancellationToken.None)).Should().BeNull("nothing of a failed transaction is applied");
        await _store.TransactAsync([StateOperation.Upsert("t2", 20), StateOperation.Delete("t1")], CancellationToken.None);
        (await _store.GetAsync("t2", CancellationToken.None))!.Value.GetInt32().Should().Be(20);
        (await _store.GetAsync("t1", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task An_unreachable_sidecar_is_unavailable_for_state_and_publishing()
    {
        using var nowhere = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{FreePort.Next()}").Build();
        var store = new DaprStateStore(nowhere, Options.Create(new DaprSettings()));

        var get = () => store.GetAsync("k", CancellationToken.None);
        var publish = () => new DaprEventPublisher(nowhere).PublishAsync(Topics.AnalysisEvents, new { a = 1 }, CancellationToken.None);

        await get.Should().ThrowAsync<StateStoreUnavailableException>();
        await publish.Should().ThrowAsync<EventPublishException>();
    }

    [Fact]
    public async Task Published_data_is_snake_case_json_in_daprds_cloud_event()
    {
        await new DaprEventPublisher(_client).PublishAsync(Topics.AnalysisEvents, new Sample("a-1", 3), CancellationToken.None);

        var published = _sidecar.Sim.Published.Single(p => p.Topic == Topics.AnalysisEvents);
        published.PubSub.Should().Be(Topics.PubSubName);
        var envelope = JsonDocument.Parse(published.Body).RootElement;
        envelope.GetProperty("data").GetRawText().Should().Be("""{"analysis_id":"a-1","restart_counter":3}""");
        envelope.GetProperty("datacontenttype").GetString().Should().Be("application/json");
        envelope.GetProperty("source").GetString().Should().Be("lifecycle");
    }

    private sealed record Sample(string AnalysisId, int RestartCounter);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
