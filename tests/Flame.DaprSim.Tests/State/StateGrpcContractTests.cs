using Dapr;
using Dapr.Client;

using Flame.DaprSim.Tests.Support;

using Grpc.Core;

namespace Flame.DaprSim.Tests.State;

/// <summary>
/// The state API over gRPC, driven by the real Dapr .NET SDK, behaves as daprd with state.postgresql v2 (daprd:
/// pkg/api/grpc/grpc.go; components-contrib: state/postgresql/v2/postgresql.go; dotnet-sdk: DaprClientGrpc.TrySaveStateAsync
/// reads gRPC Aborted as an ETag mismatch).
/// </summary>
public sealed class StateGrpcContractTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private DaprSimulator _sim = null!;
    private DaprClient _client = null!;

    public sealed record Item(string Name, int Count);

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync((_, _) => { });
        _sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.StateStore), Sim.App("lifecycle", _app.Port), Sim.App("api", _app.Port)));
        _client = Sim.Client(_sim.Sidecar("lifecycle"));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sim.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Saved_state_reads_back_with_an_etag_that_changes_on_every_write_under_the_app_id_prefix()
    {
        await _client.SaveStateAsync("statestore", "a1", new Item("x", 1));
        var (value, etag) = await _client.GetStateAndETagAsync<Item>("statestore", "a1");
        value.Should().Be(new Item("x", 1));
        etag.Should().NotBeNullOrEmpty();

        await _client.SaveStateAsync("statestore", "a1", new Item("x", 2));
        var (_, etag2) = await _client.GetStateAndETagAsync<Item>("statestore", "a1");
        etag2.Should().NotBe(etag);

        // daprd's default keyPrefix (appid): the store holds "lifecycle||a1"; another app does not see it.
        _sim.Store("statestore").Snapshot().Select(e => e.Key).Should().Equal("lifecycle||a1");
        _sim.StateEntries("statestore", "lifecycle")["a1"].Value.Should().Contain("\"count\":2");
        var (missing, missingEtag) = await _client.GetStateAndETagAsync<Item>("statestore", "nope");
        missing.Should().BeNull();
        missingEtag.Should().BeEmpty();
    }

    [Fact]
    public async Task TrySaveState_succeeds_with_the_current_etag_and_returns_false_on_a_stale_or_unknown_one()
    {
        await _client.SaveStateAsync("statestore", "k", new Item("a", 1));
        var (_, etag) = await _client.GetStateAndETagAsync<Item>("statestore", "k");
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };

        (await _client.TrySaveStateAsync("statestore", "k", new Item("a", 2), etag, firstWrite)).Should().BeTrue();
        (await _client.TrySaveStateAsync("statestore", "k", new Item("a", 3), etag, firstWrite)).Should().BeFalse("the etag is stale");
        (await _client.TrySaveStateAsync("statestore", "k", new Item("a", 3), "not-a-uuid")).Should().BeFalse("postgres v2 treats a malformed etag as a mismatch");
        (await _client.TrySaveStateAsync("statestore", "fresh", new Item("a", 3), Guid.NewGuid().ToString())).Should().BeFalse("an etag save is an UPDATE: no row, no match");
        (await _client.GetStateAsync<Item>("statestore", "k")).Should().Be(new Item("a", 2));
    }

    [Fact]
    public async Task TryDeleteState_needs_the_current_etag()
    {
        await _client.SaveStateAsync("statestore", "d", new Item("a", 1));
        var (_, etag) = await _client.GetStateAndETagAsync<Item>("statestore", "d");

        (await _client.TryDeleteStateAsync("statestore", "d", Guid.NewGuid().ToString())).Should().BeFalse();
        (await _client.GetStateAsync<Item>("statestore", "d")).Should().NotBeNull();
        (await _client.TryDeleteStateAsync("statestore", "d", etag)).Should().BeTrue();
        (await _client.GetStateAsync<Item>("statestore", "d")).Should().BeNull();
        await _client.DeleteStateAsync("statestore", "never-there");
    }

    [Fact]
    public async Task First_write_without_etag_fails_on_an_existing_key_and_last_write_overwrites()
    {
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        await _client.SaveStateAsync("statestore", "fw", new Item("a", 1), firstWrite);

        // state.postgresql v2: INSERT … ON CONFLICT DO UPDATE … WHERE expired updates nothing → "no item was updated", Internal.
        var failed = await _client.Invoking(c => c.SaveStateAsync("statestore", "fw", new Item("a", 2), firstWrite)).Should().ThrowAsync<DaprException>();
        var rpc = failed.Which.InnerException.Should().BeOfType<RpcException>().Which;
        rpc.StatusCode.Should().Be(StatusCode.Internal);
        rpc.Status.Detail.Should().Be("failed saving state in state store statestore: no item was updated");

        await _client.SaveStateAsync("statestore", "fw", new Item("a", 3), new StateOptions { Concurrency = ConcurrencyMode.LastWrite });
        await _client.SaveStateAsync("statestore", "fw", new Item("a", 4));
        (await _client.GetStateAsync<Item>("statestore", "fw")).Should().Be(new Item("a", 4));
    }

    [Fact]
    public async Task Bulk_get_returns_every_key_with_empty_data_for_missing_ones_and_bulk_delete_removes()
    {
        await _client.SaveStateAsync("statestore", "b1", new Item("a", 1));
        await _client.SaveStateAsync("statestore", "b2", new Item("b", 2));

        var items = await _client.GetBulkStateAsync("statestore", ["b1", "missing", "b2"], parallelism: 2);
        items.Select(i => i.Key).Should().BeEquivalentTo(["b1", "b2", "missing"]);
        items.Single(i => i.Key == "missing").Value.Should().BeEmpty();
        items.Single(i => i.Key == "missing").ETag.Should().BeEmpty();
        items.Single(i => i.Key == "b2").Value.Should().Contain("\"count\":2");
        items.Single(i => i.Key == "b2").ETag.Should().NotBeEmpty();

        await _client.DeleteBulkStateAsync("statestore", [new BulkDeleteStateItem("b1", null!), new BulkDeleteStateItem("b2", null!)]);
        _sim.StateEntries("statestore", "lifecycle").Should().BeEmpty();
    }

    [Fact]
    public async Task A_transaction_with_a_conflicting_etag_throws_and_applies_nothing()
    {
        await _client.SaveStateAsync("statestore", "t1", new Item("a", 1));
        var (_, etag) = await _client.GetStateAndETagAsync<Item>("statestore", "t1");
        await _client.SaveStateAsync("statestore", "t1", new Item("a", 2));

        var conflicting = new List<StateTransactionRequest>
        {
            new("t2", System.Text.Encoding.UTF8.GetBytes("{\"name\":\"b\",\"count\":1}"), StateOperationType.Upsert),
            new("t1", System.Text.Encoding.UTF8.GetBytes("{\"name\":\"a\",\"count\":9}"), StateOperationType.Upsert, etag),
        };
        var failed = await _client.Invoking(c => c.ExecuteStateTransactionAsync("statestore", conflicting)).Should().ThrowAsync<DaprException>();
        // daprd reports every transaction failure, an ETag conflict included, as Internal ERR_STATE_TRANSACTION.
        var rpc = failed.Which.InnerException.Should().BeOfType<RpcException>().Which;
        rpc.StatusCode.Should().Be(StatusCode.Internal);
        rpc.Status.Detail.Should().StartWith("error while executing state transaction: possible etag mismatch");
        _sim.StateEntries("statestore", "lifecycle").Keys.Should().Equal("t1");

        var (_, current) = await _client.GetStateAndETagAsync<Item>("statestore", "t1");
        await _client.ExecuteStateTransactionAsync("statestore",
        [
            new("t2", System.Text.Encoding.UTF8.GetBytes("{\"name\":\"b\",\"count\":1}"), StateOperationType.Upsert),
            new("t1", null, StateOperationType.Delete, current),
        ]);
        _sim.StateEntries("statestore", "lifecycle").Keys.Should().Equal("t2");
    }

    [Fact]
    public async Task A_store_out_of_scope_is_not_configured_and_an_unknown_store_is_not_found()
    {
        // statestore is scoped to lifecycle in the real components/statestore.yaml; here a second sim shows both errors.
        var resources = Sim.Resources(Sim.StateStore + "\nscopes: [lifecycle]\n");
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(resources, Sim.App("lifecycle", _app.Port), Sim.App("api", _app.Port)));
        using var api = Sim.Client(sim.Sidecar("api"));
        using var lifecycle = Sim.Client(sim.Sidecar("lifecycle"));

        var notConfigured = await api.Invoking(c => c.GetStateAsync<Item>("statestore", "k")).Should().ThrowAsync<DaprException>();
        var rpc = notConfigured.Which.InnerException.Should().BeOfType<RpcException>().Which;
        rpc.StatusCode.Should().Be(StatusCode.FailedPrecondition);
        rpc.Status.Detail.Should().Be("state store statestore is not configured");

        var notFound = await lifecycle.Invoking(c => c.GetStateAsync<Item>("other", "k")).Should().ThrowAsync<DaprException>();
        var rpc2 = notFound.Which.InnerException.Should().BeOfType<RpcException>().Which;
        rpc2.StatusCode.Should().Be(StatusCode.InvalidArgument);
        rpc2.Status.Detail.Should().Be("state store other is not found");
        rpc2.Trailers.GetValueBytes("grpc-status-details-bin").Should().NotBeNull("standardized errors carry an ErrorInfo");
    }
}
