using Dapr.Client;
using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flame.Po.IntegrationTests.State;

/// <summary>
/// The promises of <see cref="IStateStore"/> (its doc comments: ETag concurrency, first-write inserts, deletes, bulk
/// reads, atomic transactions, key validation), run against every implementation: the embedded PostgreSQL store and
/// the Dapr adapter through the simulated sidecar. Each implementation shares one store per class; every test writes
/// its own keys (<see cref="K"/>), so the tests stay independent.
/// </summary>
public abstract class StateStoreConformance(IStateStore store)
{
    private readonly string _prefix = Guid.NewGuid().ToString("N")[..10];

    private sealed record Counter(int Value, string? Note = null);

    /// <summary>A key of this test only.</summary>
    private string K(string name) => $"{_prefix}-{name}";

    [Fact]
    public async Task A_missing_key_reads_as_null()
    {
        (await store.GetAsync(K("nothing"), CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Saves_and_reads_back_a_value_with_a_fresh_etag_per_write()
    {
        await store.SaveAsync(K("k"), new Counter(1, "Grüße"), cancellationToken: CancellationToken.None);
        var first = await store.GetAsync(K("k"), CancellationToken.None);
        await store.SaveAsync(K("k"), new Counter(2), cancellationToken: CancellationToken.None);
        var second = await store.GetAsync(K("k"), CancellationToken.None);

        first!.Key.Should().Be(K("k"));
        first.Get<Counter>().Should().Be(new Counter(1, "Grüße"));
        first.ETag.Should().NotBeNullOrEmpty();
        second!.Get<Counter>().Should().Be(new Counter(2));
        second.ETag.Should().NotBe(first.ETag);
    }

    [Fact]
    public async Task Two_writers_with_the_same_etag_one_wins_the_other_conflicts()
    {
        await store.SaveAsync(K("k"), new Counter(0), cancellationToken: CancellationToken.None);
        var read = await store.GetAsync(K("k"), CancellationToken.None);

        await store.SaveAsync(K("k"), new Counter(1), read!.ETag, StateConcurrency.FirstWrite, CancellationToken.None);
        var loser = () => store.SaveAsync(K("k"), new Counter(2), read.ETag, StateConcurrency.FirstWrite, CancellationToken.None);

        (await loser.Should().ThrowAsync<StateConflictException>()).Which.Key.Should().Be(K("k"));
        (await store.GetAsync(K("k"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(1);
    }

    [Fact]
    public async Task An_etag_is_checked_even_in_last_write_mode_and_a_malformed_one_never_matches()
    {
        await store.SaveAsync(K("k"), new Counter(0), cancellationToken: CancellationToken.None);

        var stale = () => store.SaveAsync(K("k"), new Counter(1), Guid.NewGuid().ToString(), StateConcurrency.LastWrite, CancellationToken.None);
        var malformed = () => store.SaveAsync(K("k"), new Counter(1), "not-a-uuid", StateConcurrency.LastWrite, CancellationToken.None);

        await stale.Should().ThrowAsync<StateConflictException>();
        await malformed.Should().ThrowAsync<StateConflictException>();
        (await store.GetAsync(K("k"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(0);
    }

    [Fact]
    public async Task First_write_without_etag_only_creates_and_last_write_then_overwrites()
    {
        await store.SaveAsync(K("k"), new Counter(1), null, StateConcurrency.FirstWrite, CancellationToken.None);
        var again = () => store.SaveAsync(K("k"), new Counter(2), null, StateConcurrency.FirstWrite, CancellationToken.None);

        await again.Should().ThrowAsync<StateConflictException>("a second create of the same record must not overwrite it");
        (await store.GetAsync(K("k"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(1);
        await store.SaveAsync(K("k"), new Counter(3), null, StateConcurrency.LastWrite, CancellationToken.None);
        (await store.GetAsync(K("k"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(3);
    }

    [Fact]
    public async Task Last_write_without_etag_overwrites()
    {
        await store.SaveAsync(K("k"), new Counter(1), cancellationToken: CancellationToken.None);
        await store.SaveAsync(K("k"), new Counter(2), cancellationToken: CancellationToken.None);

        (await store.GetAsync(K("k"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(2);
    }

    [Fact]
    public async Task An_etag_on_a_missing_key_conflicts()
    {
        var act = () => store.SaveAsync(K("absent"), new Counter(1), Guid.NewGuid().ToString(), StateConcurrency.FirstWrite, CancellationToken.None);

        await act.Should().ThrowAsync<StateConflictException>();
        (await store.GetAsync(K("absent"), CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Delete_checks_the_etag_and_a_missing_key_without_etag_is_fine()
    {
        await store.SaveAsync(K("k"), new Counter(1), cancellationToken: CancellationToken.None);
        var first = await store.GetAsync(K("k"), CancellationToken.None);
        await store.SaveAsync(K("k"), new Counter(2), first!.ETag, StateConcurrency.FirstWrite, CancellationToken.None);
        var current = await store.GetAsync(K("k"), CancellationToken.None);

        var random = () => store.DeleteAsync(K("k"), Guid.NewGuid().ToString(), CancellationToken.None);
        var stale = () => store.DeleteAsync(K("k"), first.ETag, CancellationToken.None);
        await random.Should().ThrowAsync<StateConflictException>();
        await stale.Should().ThrowAsync<StateConflictException>();
        (await store.GetAsync(K("k"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(2);

        await store.DeleteAsync(K("k"), current!.ETag, CancellationToken.None);
        (await store.GetAsync(K("k"), CancellationToken.None)).Should().BeNull();
        await store.DeleteAsync(K("k"), null, CancellationToken.None);
        await store.DeleteAsync(K("never"), null, CancellationToken.None);
        (await store.GetAsync(K("k"), CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Bulk_get_returns_the_existing_keys_with_etags()
    {
        await store.SaveAsync(K("a"), new Counter(1), cancellationToken: CancellationToken.None);
        await store.SaveAsync(K("b"), new Counter(2), cancellationToken: CancellationToken.None);

        var entries = await store.GetBulkAsync([K("a"), K("b"), K("missing")], CancellationToken.None);

        entries.Select(e => (e.Key, e.Get<Counter>().Value)).Should().BeEquivalentTo([(K("a"), 1), (K("b"), 2)]);
        entries.Should().OnlyContain(e => e.ETag.Length > 0);
        (await store.GetBulkAsync([], CancellationToken.None)).Should().BeEmpty();
        (await store.GetBulkAsync([K("missing")], CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_transaction_applies_all_operations_in_order()
    {
        await store.SaveAsync(K("old"), new Counter(0), cancellationToken: CancellationToken.None);

        await store.TransactAsync(
        [
            StateOperation.Upsert(K("record"), new Counter(1)),
            StateOperation.Upsert(K("index"), new[] { K("record") }),
            StateOperation.Upsert(K("record"), new Counter(2)),
            StateOperation.Delete(K("old")),
        ], CancellationToken.None);

        (await store.GetAsync(K("record"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(2);
        (await store.GetAsync(K("index"), CancellationToken.None))!.Get<string[]>().Should().Equal(K("record"));
        (await store.GetAsync(K("old"), CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task A_transaction_with_one_conflict_changes_nothing()
    {
        await store.SaveAsync(K("index"), new[] { "x" }, cancellationToken: CancellationToken.None);
        await store.SaveAsync(K("other"), new Counter(5), cancellationToken: CancellationToken.None);
        var index = await store.GetAsync(K("index"), CancellationToken.None);
        await store.SaveAsync(K("index"), new[] { "x", "y" }, cancellationToken: CancellationToken.None);

        var act = () => store.TransactAsync(
        [
            StateOperation.Upsert(K("record"), new Counter(1), null, StateConcurrency.FirstWrite),
            StateOperation.Delete(K("other")),
            StateOperation.Upsert(K("index"), new[] { "x", "record" }, index!.ETag, StateConcurrency.FirstWrite),
        ], CancellationToken.None);

        await act.Should().ThrowAsync<StateConflictException>();
        (await store.GetAsync(K("record"), CancellationToken.None)).Should().BeNull("nothing of a failed transaction is applied");
        (await store.GetAsync(K("other"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(5);
        (await store.GetAsync(K("index"), CancellationToken.None))!.Get<string[]>().Should().Equal("x", "y");
    }

    [Fact]
    public async Task A_transaction_checks_the_etag_of_a_delete_and_takes_the_current_one()
    {
        await store.SaveAsync(K("k"), new Counter(1), cancellationToken: CancellationToken.None);
        var stale = await store.GetAsync(K("k"), CancellationToken.None);
        await store.SaveAsync(K("k"), new Counter(2), cancellationToken: CancellationToken.None);
        var current = await store.GetAsync(K("k"), CancellationToken.None);

        var act = () => store.TransactAsync([StateOperation.Upsert(K("new"), new Counter(3)), StateOperation.Delete(K("k"), stale!.ETag)], CancellationToken.None);

        await act.Should().ThrowAsync<StateConflictException>();
        (await store.GetAsync(K("new"), CancellationToken.None)).Should().BeNull();
        (await store.GetAsync(K("k"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(2);
        await store.TransactAsync([StateOperation.Delete(K("k"), current!.ETag), StateOperation.Upsert(K("new"), new Counter(3))], CancellationToken.None);
        (await store.GetAsync(K("k"), CancellationToken.None)).Should().BeNull();
        (await store.GetAsync(K("new"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(3);
    }

    [Fact]
    public async Task A_transaction_applies_a_delete_and_an_upsert_of_one_key_in_the_order_given()
    {
        await store.SaveAsync(K("x"), new Counter(0), cancellationToken: CancellationToken.None);

        await store.TransactAsync(
        [
            StateOperation.Delete(K("x")),
            StateOperation.Upsert(K("x"), new Counter(1)),
            StateOperation.Upsert(K("y"), new Counter(1)),
            StateOperation.Delete(K("y")),
        ], CancellationToken.None);

        (await store.GetAsync(K("x"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(1);
        (await store.GetAsync(K("y"), CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task A_first_write_insert_of_an_existing_key_fails_the_whole_transaction()
    {
        await store.SaveAsync(K("taken"), new Counter(1), cancellationToken: CancellationToken.None);

        var act = () => store.TransactAsync(
        [
            StateOperation.Upsert(K("fresh"), new Counter(2)),
            StateOperation.Upsert(K("taken"), new Counter(3), null, StateConcurrency.FirstWrite),
        ], CancellationToken.None);

        await act.Should().ThrowAsync<StateConflictException>();
        (await store.GetAsync(K("fresh"), CancellationToken.None)).Should().BeNull();
        (await store.GetAsync(K("taken"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(1);
    }

    [Fact]
    public async Task Fifty_concurrent_writers_that_retry_on_conflict_lose_no_update()
    {
        await store.SaveAsync(K("counter"), new Counter(0), cancellationToken: CancellationToken.None);
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var entry = await store.GetAsync(K("counter"), CancellationToken.None);
                try
                {
                    await store.SaveAsync(K("counter"), new Counter(entry!.Get<Counter>().Value + 1), entry.ETag, StateConcurrency.FirstWrite, CancellationToken.None);
                    return;
                }
                catch (StateConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        (await store.GetAsync(K("counter"), CancellationToken.None))!.Get<Counter>().Value.Should().Be(50);
        conflicts.Should().BeGreaterThan(0, "the writers really did collide");
    }

    [Theory]
    [InlineData("")]
    [InlineData("app||key")]
    public async Task Keys_that_dapr_would_refuse_are_refused(string key)
    {
        var save = () => store.SaveAsync(key, new Counter(1), cancellationToken: CancellationToken.None);
        var get = () => store.GetAsync(key, CancellationToken.None);
        var transact = () => store.TransactAsync([StateOperation.Delete(key)], CancellationToken.None);

        await save.Should().ThrowAsync<ArgumentException>();
        await get.Should().ThrowAsync<ArgumentException>();
        await transact.Should().ThrowAsync<ArgumentException>();
    }
}

/// <summary>One migrated database for the class.</summary>
public sealed class PostgresStateStoreFixture : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public PostgresStateStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _db = await TestPostgres.CreateDatabaseAsync();
        await new MigrationRunner(_db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        Store = new PostgresStateStore(_db.DataSource, TimeProvider.System);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();
}

/// <summary>One simulated sidecar for the class, with the SDK's client to it.</summary>
public sealed class DaprStateStoreFixture : IAsyncLifetime
{
    private SimulatedSidecar _sidecar = null!;
    private DaprClient _client = null!;

    public DaprStateStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await SimulatedSidecar.StartAsync(cron: false);
        var sidecar = _sidecar.Sim.Sidecars[0];
        _client = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{sidecar.GrpcPort}").UseHttpEndpoint($"http://127.0.0.1:{sidecar.HttpPort}").Build();
        Store = new DaprStateStore(_client, Options.Create(new DaprSettings()));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sidecar.DisposeAsync();
    }
}

public sealed class PostgresStateStoreConformanceTests(PostgresStateStoreFixture fixture)
    : StateStoreConformance(fixture.Store), IClassFixture<PostgresStateStoreFixture>;

public sealed class DaprStateStoreConformanceTests(DaprStateStoreFixture fixture)
    : StateStoreConformance(fixture.Store), IClassFixture<DaprStateStoreFixture>;
