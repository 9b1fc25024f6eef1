using System.Text.Json;
using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.State;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Flame.Po.IntegrationTests.State;

public sealed class PostgresStateStoreTests : IAsyncLifetime
{
    private sealed record Counter(int Value, string? Note = null);

    private TestDatabase _db = null!;
    private PostgresStateStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await TestPostgres.CreateDatabaseAsync();
        await new MigrationRunner(_db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        _store = new PostgresStateStore(_db.DataSource, TimeProvider.System);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_missing_key_reads_as_null()
    {
        (await _store.GetAsync("nothing", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Saves_and_reads_back_a_value_with_a_fresh_etag_per_write()
    {
        await _store.SaveAsync("k", new Counter(1, "Grüße"), cancellationToken: CancellationToken.None);
        var first = await _store.GetAsync("k", CancellationToken.None);
        await _store.SaveAsync("k", new Counter(2), cancellationToken: CancellationToken.None);
        var second = await _store.GetAsync("k", CancellationToken.None);

        first!.Get<Counter>().Should().Be(new Counter(1, "Grüße"));
        second!.Get<Counter>().Should().Be(new Counter(2));
        second.ETag.Should().NotBe(first.ETag);
        Guid.TryParse(second.ETag, out _).Should().BeTrue();
    }

    [Fact]
    public async Task Two_writers_with_the_same_etag_one_wins_the_other_conflicts()
    {
        await _store.SaveAsync("k", new Counter(0), cancellationToken: CancellationToken.None);
        var read = await _store.GetAsync("k", CancellationToken.None);

        await _store.SaveAsync("k", new Counter(1), read!.ETag, StateConcurrency.FirstWrite, CancellationToken.None);
        var loser = () => _store.SaveAsync("k", new Counter(2), read.ETag, StateConcurrency.FirstWrite, CancellationToken.None);

        (await loser.Should().ThrowAsync<StateConflictException>()).Which.Key.Should().Be("k");
        (await _store.GetAsync("k", CancellationToken.None))!.Get<Counter>().Value.Should().Be(1);
    }

    [Fact]
    public async Task An_etag_is_checked_even_in_last_write_mode_and_a_malformed_one_never_matches()
    {
        await _store.SaveAsync("k", new Counter(0), cancellationToken: CancellationToken.None);

        var stale = () => _store.SaveAsync("k", new Counter(1), Guid.NewGuid().ToString(), StateConcurrency.LastWrite, CancellationToken.None);
        var malformed = () => _store.SaveAsync("k", new Counter(1), "not-a-uuid", StateConcurrency.LastWrite, CancellationToken.None);

        await stale.Should().ThrowAsync<StateConflictException>();
        await malformed.Should().ThrowAsync<StateConflictException>();
    }

    [Fact]
    public async Task First_write_without_etag_only_creates()
    {
        await _store.SaveAsync("k", new Counter(1), null, StateConcurrency.FirstWrite, CancellationToken.None);
        var again = () => _store.SaveAsync("k", new Counter(2), null, StateConcurrency.FirstWrite, CancellationToken.None);

        await again.Should().ThrowAsync<StateConflictException>();
        (await _store.GetAsync("k", CancellationToken.None))!.Get<Counter>().Value.Should().Be(1);
    }

    [Fact]
    public async Task Last_write_without_etag_overwrites()
    {
        await _store.SaveAsync("k", new Counter(1), cancellationToken: CancellationToken.None);
        await _store.SaveAsync("k", new Counter(2), cancellationToken: CancellationToken.None);

        (await _store.GetAsync("k", CancellationToken.None))!.Get<Counter>().Value.Should().Be(2);
    }

    [Fact]
    public async Task An_etag_on_a_missing_key_conflicts()
    {
        var act = () => _store.SaveAsync("absent", new Counter(1), Guid.NewGuid().ToString(), StateConcurrency.FirstWrite, CancellationToken.None);

        await act.Should().ThrowAsync<StateConflictException>();
        (await _store.GetAsync("absent", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Delete_checks_the_etag_and_a_missing_key_without_etag_is_fine()
    {
        await _store.SaveAsync("k", new Counter(1), cancellationToken: CancellationToken.None);
        var entry = await _store.GetAsync("k", CancellationToken.None);

        var stale = () => _store.DeleteAsync("k", Guid.NewGuid().ToString(), CancellationToken.None);
        await stale.Should().ThrowAsync<StateConflictException>();
        await _store.DeleteAsync("k", entry!.ETag, CancellationToken.None);
        await _store.DeleteAsync("k", null, CancellationToken.None);

        (await _store.GetAsync("k", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Bulk_get_returns_the_existing_keys_with_etags()
    {
        await _store.SaveAsync("a", new Counter(1), cancellationToken: CancellationToken.None);
        await _store.SaveAsync("b", new Counter(2), cancellationToken: CancellationToken.None);

        var entries = await _store.GetBulkAsync(["a", "b", "missing"], CancellationToken.None);

        entries.Select(e => (e.Key, e.Get<Counter>().Value)).Should().BeEquivalentTo([("a", 1), ("b", 2)]);
        entries.Should().OnlyContain(e => e.ETag.Length > 0);
        (await _store.GetBulkAsync([], CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_transaction_applies_all_operations_in_order()
    {
        await _store.SaveAsync("old", new Counter(0), cancellationToken: CancellationToken.None);

        await _store.TransactAsync(
        [
            StateOperation.Upsert("record", new Counter(1)),
            StateOperation.Upsert("index", new[] { "record" }),
            StateOperation.Upsert("record", new Counter(2)),
            StateOperation.Delete("old"),
        ], CancellationToken.None);

        (await _store.GetAsync("record", CancellationToken.None))!.Get<Counter>().Value.Should().Be(2);
        (await _store.GetAsync("index", CancellationToken.None))!.Get<string[]>().Should().Equal("record");
        (await _store.GetAsync("old", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task A_transaction_with_one_conflict_changes_nothing()
    {
        await _store.SaveAsync("index", new[] { "x" }, cancellationToken: CancellationToken.None);
        var index = await _store.GetAsync("index", CancellationToken.None);
        await _store.SaveAsync("index", new[] { "x", "y" }, cancellationToken: CancellationToken.None);

        var act = () => _store.TransactAsync(
        [
            StateOperation.Upsert("record", new Counter(1), null, StateConcurrency.FirstWrite),
            StateOperation.Delete("other"),
            StateOperation.Upsert("index", new[] { "x", "record" }, index!.ETag, StateConcurrency.FirstWrite),
        ], CancellationToken.None);

        (await act.Should().ThrowAsync<StateConflictException>()).Which.Key.Should().Be("index");
        (await _store.GetAsync("record", CancellationToken.None)).Should().BeNull();
        (await _store.GetAsync("index", CancellationToken.None))!.Get<string[]>().Should().Equal("x", "y");
    }

    [Fact]
    public async Task Fifty_concurrent_writers_that_retry_on_conflict_lose_no_update()
    {
        await _store.SaveAsync("counter", new Counter(0), cancellationToken: CancellationToken.None);
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var entry = await _store.GetAsync("counter", CancellationToken.None);
                try
                {
                    await _store.SaveAsync("counter", new Counter(entry!.Get<Counter>().Value + 1), entry.ETag, StateConcurrency.FirstWrite, CancellationToken.None);
                    return;
                }
                catch (StateConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        (await _store.GetAsync("counter", CancellationToken.None))!.Get<Counter>().Value.Should().Be(50);
        conflicts.Should().BeGreaterThan(0, "the writers really did collide");
    }

    [Theory]
    [InlineData("")]
    [InlineData("app||key")]
    public async Task Keys_that_dapr_would_refuse_are_refused(string key)
    {
        var act = () => _store.SaveAsync(key, new Counter(1), cancellationToken: CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task An_unreachable_database_surfaces_as_unavailable()
    {
        var closedPort = new PostgresSettings { Host = "127.0.0.1", Port = 1, User = "x", Password = "x", Database = "x", ConnectTimeoutSeconds = 2 };
        await using var dataSource = NpgsqlDataSource.Create(closedPort.ToConnectionString());
        var store = new PostgresStateStore(dataSource, TimeProvider.System);

        var act = () => store.GetAsync("k", CancellationToken.None);

        (await act.Should().ThrowAsync<StateStoreUnavailableException>()).Which.Message.Should().Contain("cannot connect");
    }

    [Fact]
    public async Task Values_are_stored_as_queryable_jsonb_in_snake_case()
    {
        await _store.SaveAsync("k", new Counter(7, "n"), cancellationToken: CancellationToken.None);

        await using var command = _db.DataSource.CreateCommand("SELECT value->>'value' FROM state WHERE key = 'k'");
        (await command.ExecuteScalarAsync()).Should().Be("7");
        JsonSerializer.Serialize(new Counter(1)).Should().Contain("Value", "sanity: the default serializer would differ");
    }
}
