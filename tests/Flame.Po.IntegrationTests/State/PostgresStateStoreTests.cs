using System.Text.Json;
using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.State;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Flame.Po.IntegrationTests.State;

/// <summary>What only the embedded store does; the <see cref="IStateStore"/> contract itself is <see cref="StateStoreConformance"/>.</summary>
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
    public async Task Every_write_gets_a_fresh_uuid_etag()
    {
        await _store.SaveAsync("k", new Counter(1), cancellationToken: CancellationToken.None);
        var first = await _store.GetAsync("k", CancellationToken.None);
        await _store.SaveAsync("k", new Counter(2), cancellationToken: CancellationToken.None);
        var second = await _store.GetAsync("k", CancellationToken.None);

        second!.ETag.Should().NotBe(first!.ETag);
        Guid.TryParse(second.ETag, out _).Should().BeTrue();
    }

    [Fact]
    public async Task A_transaction_conflict_names_the_conflicting_key()
    {
        await _store.SaveAsync("index", new[] { "x" }, cancellationToken: CancellationToken.None);
        var index = await _store.GetAsync("index", CancellationToken.None);
        await _store.SaveAsync("index", new[] { "x", "y" }, cancellationToken: CancellationToken.None);

        var act = () => _store.TransactAsync(
        [
            StateOperation.Upsert("record", new Counter(1), null, StateConcurrency.FirstWrite),
            StateOperation.Upsert("index", new[] { "x", "record" }, index!.ETag, StateConcurrency.FirstWrite),
        ], CancellationToken.None);

        (await act.Should().ThrowAsync<StateConflictException>()).Which.Key.Should().Be("index", "the Dapr adapter can only say \"(transaction)\"");
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
