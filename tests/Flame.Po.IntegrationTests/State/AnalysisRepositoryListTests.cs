using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.Embedded;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flame.Po.IntegrationTests.State;

/// <summary>
/// ListAsync keeps the records it read and re-reads only those whose ETag changed: two repositories on one
/// database (two replicas) must still always see each other's latest writes, creates and deletes.
/// </summary>
public sealed class AnalysisRepositoryListTests : IAsyncLifetime
{
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

    private static async Task<IEnumerable<string>> Statuses(AnalysisRepository repository) =>
        (await repository.ListAsync(activeOnly: false, CancellationToken.None)).Select(s => s.Record.Status);

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
}
