using Flame.Po.IntegrationTests.Support;
using Flame.Po.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flame.Po.IntegrationTests.Persistence;

public sealed class MigrationRunnerTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private MigrationRunner Runner() => new(_db.DataSource, NullLogger<MigrationRunner>.Instance);

    [Fact]
    public async Task Creates_the_schema_on_an_empty_database_and_records_each_version_once()
    {
        var applied = await Runner().ApplyAsync(CancellationToken.None);

        applied.Should().Be(MigrationCatalog.Embedded.Count);
        (await _db.CountAsync("SELECT count(*) FROM schema_migrations")).Should().Be(MigrationCatalog.Embedded.Count);
        (await _db.CountAsync("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('state','archive','log_line')")).Should().Be(3);
    }

    [Fact]
    public async Task Applying_twice_is_a_no_op()
    {
        await Runner().ApplyAsync(CancellationToken.None);
        var before = await _db.CountAsync("SELECT sum(extract(epoch from applied_at))::bigint FROM schema_migrations");

        var second = await Runner().ApplyAsync(CancellationToken.None);

        second.Should().Be(0);
        (await _db.CountAsync("SELECT count(*) FROM schema_migrations")).Should().Be(MigrationCatalog.Embedded.Count);
        (await _db.CountAsync("SELECT sum(extract(epoch from applied_at))::bigint FROM schema_migrations")).Should().Be(before);
    }

    [Fact]
    public async Task Concurrent_runners_serialise_and_each_migration_is_applied_once()
    {
        var migrations = MigrationCatalog.Embedded
            .Append(new Migration(900, "slow", "SELECT pg_sleep(0.3); CREATE TABLE slow_marker (id int)"))
            .ToList();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Runner().ApplyAsync(migrations, CancellationToken.None))));

        results.Sum().Should().Be(migrations.Count, "exactly one runner applied each migration");
        (await _db.CountAsync("SELECT count(*) FROM schema_migrations")).Should().Be(migrations.Count);
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_and_not_recorded()
    {
        var broken = MigrationCatalog.Embedded.Append(new Migration(901, "broken", "CREATE TABLE half_done (id int); SELECT no_such_function()")).ToList();

        var act = () => Runner().ApplyAsync(broken, CancellationToken.None);

        await act.Should().ThrowAsync<Npgsql.PostgresException>();
        (await _db.CountAsync("SELECT count(*) FROM schema_migrations WHERE version = 901")).Should().Be(0);
        (await _db.CountAsync("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'")).Should().Be(0);
        (await Runner().ApplyAsync(CancellationToken.None)).Should().Be(0, "the good migrations stayed applied");
    }

    [Fact]
    public async Task A_changed_migration_that_was_already_applied_is_refused()
    {
        await Runner().ApplyAsync(CancellationToken.None);
        var changed = MigrationCatalog.Embedded.Select(m => m.Version == 1 ? m with { Sql = m.Sql + "\nCREATE TABLE edited (id int);" } : m).ToList();

        var act = () => Runner().ApplyAsync(changed, CancellationToken.None);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*changed after it was applied*");
    }

    [Fact]
    public async Task Rewording_a_comment_of_an_applied_migration_is_not_a_change()
    {
        await Runner().ApplyAsync(CancellationToken.None);
        var reworded = MigrationCatalog.Embedded.Select(m => m.Version == 1 ? m with { Sql = "-- reworded\n" + m.Sql + "\n  -- edited" } : m).ToList();

        (await Runner().ApplyAsync(reworded, CancellationToken.None)).Should().Be(0);
    }

    [Theory]
    [InlineData(1, "fef3c391e9c7ecd6f969817e2240c5519449cb5e57cc646a1e189956544cfdbd")]
    [InlineData(3, "5bb2603e8e5772178f15736ebf3c502183b7a3852f1f83e012545af67b4b21ea")]
    [InlineData(2, null)]
    public async Task A_whole_text_checksum_of_an_earlier_release_is_accepted_and_replaced(int version, string? recorded)
    {
        await Runner().ApplyAsync(CancellationToken.None);
        var migration = MigrationCatalog.Embedded.Single(m => m.Version == version);
        // What a release before comment-free checksums recorded: the whole text's hash (the text it had then).
        await _db.ExecuteAsync($"UPDATE schema_migrations SET checksum = '{recorded ?? migration.TextChecksum}' WHERE version = {version}");

        (await Runner().ApplyAsync(CancellationToken.None)).Should().Be(0);

        (await _db.CountAsync($"SELECT count(*) FROM schema_migrations WHERE version = {version} AND checksum = '{migration.Checksum}'")).Should().Be(1);
    }

    [Fact]
    public async Task An_unknown_recorded_checksum_is_refused()
    {
        await Runner().ApplyAsync(CancellationToken.None);
        await _db.ExecuteAsync("UPDATE schema_migrations SET checksum = 'not-a-checksum-of-this-script' WHERE version = 2");

        var act = () => Runner().ApplyAsync(CancellationToken.None);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*changed after it was applied*");
    }
}
