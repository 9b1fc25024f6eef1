using System.Text.Json;

using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.State;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flame.Po.IntegrationTests.State;

/// <summary>
/// ListAsync keeps the records it read and re-reads only those whose ETag changed: two repositories on one
/// database (two replicas) must still always see each other's latest writes, creates and deletes. Creates of
/// analyses whose ids fall in one index shard: within a process they queue for the shard instead of losing its
/// compare-and-swap to each other; across replicas the compare-and-swap still keeps every create.
/// </summary>
public sealed class AnalysisRepositoryListTests : IAsyncLifetime
{
    private const int Creates = 20;
    private TestDatabase _db = null!;
    private AnalysisRepository _mine = null!;
    private AnalysisRepository _other = null!;

    public async Task InitializeAsync()
    {
        _db = await TestPostgres.CreateDatabaseAsync();
        await new MigrationRunner(_db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        _mine = new AnalysisRepository(new PostgresStateStore(_db.DataSource, TimeProvider.System));
        _other = new AnalysisRepository(new PostgresStateStore(_db.DataSource, TimeProvider.System));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_list_shows_every_write_of_another_replica()
    {
        var first = await _other.CreateAsync(Record("1"), CancellationToken.None);
        await _other.CreateAsync(Record("2"), CancellationToken.None);
        (await Statuses(_mine)).Should().Equal(AnalysisStatus.Starting, AnalysisStatus.Starting);

        await _other.SaveAsync(first, first.Record with { Status = AnalysisStatus.Executing, Progress = 40 }, CancellationToken.None);
        var listed = await _mine.ListAsync(activeOnly: false, CancellationToken.None);
        listed[0].Record.Progress.Should().Be(40);
        listed[0].Record.Status.Should().Be(AnalysisStatus.Executing);

        // The ETag from the list is the current one: a compare-and-swap with it succeeds.
        await _mine.SaveAsync(listed[0], listed[0].Record with { Progress = 50 }, CancellationToken.None);
        (await _other.GetAsync(listed[0].Record.AnalysisId, CancellationToken.None))!.Record.Progress.Should().Be(50);

        await _other.CreateAsync(Record("3"), CancellationToken.None);
        var third = await _other.GetAsync(Record("3").AnalysisId, CancellationToken.None);
        await _other.DeleteAsync(third!, CancellationToken.None);
        (await _mine.ListAsync(activeOnly: false, CancellationToken.None)).Select(s => s.Record.AnalysisId)
            .Should().Equal(Record("1").AnalysisId, Record("2").AnalysisId);
    }

    [Fact]
    public async Task Concurrent_creates_in_one_shard_never_lose_the_shard_to_each_other_in_one_process()
    {
        var store = new CountingStore(new PostgresStateStore(_db.DataSource, TimeProvider.System));
        var repository = new AnalysisRepository(store);

        await Task.WhenAll(Enumerable.Range(0, Creates).Select(i => Task.Run(() => repository.CreateAsync(InShardA(i), CancellationToken.None))));

        store.Conflicts.Should().Be(0, "writers of one shard in one process take turns");
        (await repository.ListAsync(activeOnly: true, CancellationToken.None)).Should().HaveCount(Creates);
    }

    [Fact]
    public async Task Concurrent_creates_in_one_shard_from_two_replicas_are_all_kept()
    {
        await Task.WhenAll(Enumerable.Range(0, Creates).Select(i => Task.Run(() => (i % 2 == 0 ? _mine : _other).CreateAsync(InShardA(i), CancellationToken.None))));

        (await _mine.ListAsync(activeOnly: true, CancellationToken.None)).Select(s => s.Record.AnalysisId)
            .Should().BeEquivalentTo(Enumerable.Range(0, Creates).Select(i => InShardA(i).AnalysisId));
    }

    private static async Task<IEnumerable<string>> Statuses(AnalysisRepository repository) =>
        (await repository.ListAsync(activeOnly: false, CancellationToken.None)).Select(s => s.Record.Status);

    /// <summary>Ids that all start with <c>a</c>: one index shard.</summary>
    private static AnalysisRecord InShardA(int i) => Record("0") with
    {
        AnalysisId = $"a{i:D7}-0000-4000-8000-000000000000",
        CreatedAt = DateTimeOffset.UnixEpoch.AddSeconds(i),
    };

    private static AnalysisRecord Record(string suffix) => new()
    {
        AnalysisId = $"0000000{suffix}-0000-4000-8000-000000000000",
        ProjectId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        RegistryUrl = "harbor.sandbox.local",
        ImageUrl = "harbor.sandbox.local/sim/ok",
        RequestFingerprint = "f",
        RestartCounter = 1,
        Status = AnalysisStatus.Starting,
        CreatedAt = DateTimeOffset.Parse($"2026-11-30T10:00:0{suffix}Z", System.Globalization.CultureInfo.InvariantCulture),
        UpdatedAt = DateTimeOffset.UnixEpoch,
        DeployedAt = DateTimeOffset.UnixEpoch,
    };

    /// <summary>The store, counting the transactions that lost a compare-and-swap.</summary>
    private sealed class CountingStore(IStateStore inner) : IStateStore
    {
        private int _conflicts;

        public int Conflicts => Volatile.Read(ref _conflicts);

        public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public Task<IReadOnlyList<StateEntry>> GetBulkAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => inner.GetBulkAsync(keys, cancellationToken);

        public Task SaveAsync(string key, JsonElement value, string? etag, StateConcurrency concurrency, CancellationToken cancellationToken) =>
            inner.SaveAsync(key, value, etag, concurrency, cancellationToken);

        public Task DeleteAsync(string key, string? etag, CancellationToken cancellationToken) => inner.DeleteAsync(key, etag, cancellationToken);

        public async Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
        {
            try
            {
                await inner.TransactAsync(operations, cancellationToken);
            }
            catch (StateConflictException)
            {
                Interlocked.Increment(ref _conflicts);
                throw;
            }
        }
    }
}
