using Flame.Po.Core.Contracts;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Logging.Ingestion;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Flame.Po.IntegrationTests.LogService;

/// <summary>
/// The single log writer keeps one database connection while lines keep coming (a pool would hand its idle
/// connections out in turn), gives it back after <see cref="LogBatchWriter.IdleConnection"/> without a line, and
/// takes a fresh one after a batch failed on it. Seen from PostgreSQL: which backend ran the writer's statement.
/// </summary>
public sealed class LogWriterConnectionTests : IAsyncLifetime
{
    private const string LastWriter =
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'WITH locked AS%' ORDER BY query_start DESC LIMIT 1";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestDatabase _db = null!;
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await TestPostgres.CreateDatabaseAsync();
        _host = await RunningHost.StartAsync(HostTarget.Logging, _db.EnvironmentValues(), builder => builder.Services.AddSingleton<TimeProvider>(_time));
        var schema = _host.Services.GetRequiredService<Flame.Po.Persistence.DatabaseStatus>();
        await Wait.UntilAsync(() => schema.Migrated, what: "the schema", poll: TimeSpan.FromMilliseconds(50));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Consecutive_lines_go_through_one_connection_which_goes_back_to_the_pool_when_no_line_comes()
    {
        var pool = _host.Services.GetRequiredService<NpgsqlDataSource>();
        var id = await StartStreamAsync();

        // Four idle connections in the pool: a writer renting one for each batch would go round them.
        var rented = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => pool.OpenConnectionAsync().AsTask()));
        foreach (var connection in rented)
        {
            await connection.DisposeAsync();
        }

        var writers = new HashSet<int>();
        for (var i = 2; i <= 13; i++)
        {
            await IngestAsync(id, $"epoch {i}");
            writers.Add(await LastWriterAsync() ?? throw new InvalidOperationException("No backend ran the writer's statement."));
        }

        writers.Should().ContainSingle("every line after the first went through the connection the writer kept");
        var writer = writers.Single();
        pool.Clear();
        (await BackendsAsync()).Should().Contain(writer, "the writer still holds its connection, which clearing the pool's idle ones leaves open");

        _time.Advance(LogBatchWriter.IdleConnection + TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(
            async () =>
            {
                pool.Clear();
                return !(await BackendsAsync()).Contains(writer);
            },
            what: "the writer's connection back in the pool, closed by clearing its idle connections",
            poll: TimeSpan.FromMilliseconds(50));

        await IngestAsync(id, "epoch 14");
        (await LastWriterAsync()).Should().NotBe(writer, "the next line takes a connection from the pool again");
        (await _db.CountAsync($"SELECT count(*) FROM log_line WHERE analysis_id = '{id}'")).Should().Be(15);
    }

    [Fact]
    public async Task A_batch_that_fails_on_a_killed_connection_fails_alone_and_the_next_line_is_stored_on_a_fresh_one()
    {
        var id = await StartStreamAsync();
        await IngestAsync(id, "epoch 2");
        var writer = await LastWriterAsync() ?? throw new InvalidOperationException("No backend ran the writer's statement.");
        await _db.ExecuteAsync("SELECT pg_terminate_backend($1)", writer);
        await Wait.UntilAsync(async () => !(await BackendsAsync()).Contains(writer), what: "the writer's backend gone", poll: TimeSpan.FromMilliseconds(50));

        // The batch on the dead connection is refused (its caller retries, as the SDK does on a 503); no later one is.
        var ingestor = _host.Services.GetRequiredService<LogIngestor>();
        var refused = 0;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                await ingestor.IngestAsync(Line(id, "epoch 3"), CancellationToken.None);
                break;
            }
            catch (LogStoreUnavailableException)
            {
                refused++;
            }
        }

        refused.Should().BeLessThanOrEqualTo(1);
        await IngestAsync(id, "epoch 4");
        (await LastWriterAsync()).Should().NotBe(writer);
        (await _db.CountAsync($"SELECT count(*) FROM log_line WHERE analysis_id = '{id}'")).Should().Be(5);
    }

    /// <summary>
    /// A new analysis' first line changes its reported status, which the report publisher then records on the stream
    /// row; the line after that re-reads the row under its lock. From the third line on, each is one statement, the
    /// writer's <c>WITH locked AS</c>, which stays the last query of its backend.
    /// </summary>
    private async Task<string> StartStreamAsync()
    {
        var id = Guid.NewGuid().ToString();
        await IngestAsync(id, "epoch 0");
        await Wait.UntilAsync(
            async () => await _db.CountAsync($"SELECT count(*) FROM log_stream WHERE analysis_id = '{id}' AND report_published = report_version") == 1,
            what: "the first line's report recorded",
            poll: TimeSpan.FromMilliseconds(50));
        await IngestAsync(id, "epoch 1");
        return id;
    }

    private static StreamLogCommand Line(string analysisId, string log) =>
        new() { AnalysisId = analysisId, Log = log, LogType = "info", Status = "executing" };

    private async Task IngestAsync(string analysisId, string log) =>
        (await _host.Services.GetRequiredService<LogIngestor>().IngestAsync(Line(analysisId, log), CancellationToken.None)).Should().Be(IngestResult.Stored);

    private async Task<int?> LastWriterAsync()
    {
        await using var command = _db.DataSource.CreateCommand(LastWriter);
        return (int?)await command.ExecuteScalarAsync();
    }

    private async Task<List<int>> BackendsAsync()
    {
        await using var command = _db.DataSource.CreateCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database()");
        await using var reader = await command.ExecuteReaderAsync();
        var pids = new List<int>();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }
}
