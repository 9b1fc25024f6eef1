using System.Net;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Logging.Retention;
using Flame.Sandbox.Faults;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.LogService;

/// <summary>
/// What delete removes and what retention keeps (docs/compatibility.md#delete-and-retention): a deleted analysis's
/// streamed lines and Hub rows go once its last Hub update is delivered, its archive snapshot stays; age retention
/// removes old lines and archive rows in batches, never a line still to be forwarded, while ingestion goes on.
/// </summary>
public sealed class DeleteAndRetentionTests
{
    private const string LongRunning = "harbor.sandbox.local/sim/ok:runtime-360000s";
    private const int Lines = 300;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["HUB_LOGGING"] = "true",
        ["HUB_SYNC_INTERVAL"] = "0.2",
        ["HUB_RETRY_MAX"] = "1",
        ["LOG_LEVEL"] = "warning",
    };

    [Fact]
    public async Task Delete_removes_the_lines_and_hub_rows_once_the_hub_has_the_last_update_and_keeps_the_archive_and_other_analyses()
    {
        await using var h = await LifecycleHarness.StartAsync(Settings, hub: true);
        var deleted = await CreateExecutingAsync(h);
        var kept = await CreateExecutingAsync(h);
        await StreamAsync(h, deleted, Lines);
        await StreamAsync(h, kept, Lines);

        // The Hub is down while the analysis is stopped and deleted: its lines and last status are still to deliver.
        h.Sandbox.Faults.Add(new FaultRule { Route = "hub:*", StatusCode = 503 });
        await h.Commands.StopAsync([deleted], CancellationToken.None);
        (await h.WaitForFinishedAsync(deleted)).Status.Should().Be(AnalysisStatus.Stopped);
        (await h.Commands.DeleteAsync([deleted], CancellationToken.None)).Statuses.Should().ContainKey(deleted);
        await Wait.UntilAsync(async () => await h.Repository.GetAsync(deleted, CancellationToken.None) is null, TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(async () => await h.Database.CountAsync($"SELECT count(*) FROM log_stream WHERE analysis_id = '{deleted}' AND deleted") == 1, TimeSpan.FromSeconds(60));

        var retention = h.Host.Services.GetRequiredService<LogRetention>();
        await retention.PurgeDeletedAsync(CancellationToken.None);
        (await LogRows.OfAsync(h, deleted)).Where(r => r.Source == "analysis").Should().HaveCount(Lines, "nothing goes before the Hub has it");
        (await CountOfAsync(h, "hub_sync", deleted)).Should().Be(1);

        h.Sandbox.Faults.Clear();
        await Wait.UntilAsync(async () => await CountOfAsync(h, "log_line", deleted) == 0 && await CountOfAsync(h, "hub_sync", deleted) == 0, TimeSpan.FromSeconds(90));

        HubMirror.Status(h, deleted).Should().Be(AnalysisStatus.Stopped, "the Hub got the last status before the rows went");
        var forwarded = HubMirror.LogMessages(h, deleted);
        Enumerable.Range(0, Lines).Select(i => $"line {i}").Should().BeSubsetOf(forwarded, "every streamed line reached the Hub before the rows went");
        (await h.Host.Services.GetRequiredService<AnalysisArchive>().ListAsync(deleted, CancellationToken.None)).Should().NotBeEmpty("the archive keeps its snapshot");
        (await LogRows.OfAsync(h, kept)).Where(r => r.Source == "analysis").Should().HaveCount(Lines, "another analysis keeps its lines");
        (await CountOfAsync(h, "hub_sync", kept)).Should().Be(1);

        // A late line of the deleted analysis is refused, not stored again.
        using (var late = await SendLineAsync(h, deleted, "late line"))
        {
            late.StatusCode.Should().NotBe(HttpStatusCode.OK);
        }

        (await CountOfAsync(h, "log_line", deleted)).Should().Be(0);
    }

    [Fact]
    public async Task Without_a_hub_delete_removes_the_lines_at_once()
    {
        await using var h = await LifecycleHarness.StartAsync(new Dictionary<string, string?> { ["HUB_SYNC_INTERVAL"] = "0.2", ["LOG_LEVEL"] = "warning" });
        var deleted = await CreateExecutingAsync(h);
        var kept = await CreateExecutingAsync(h);
        await StreamAsync(h, deleted, Lines);
        await StreamAsync(h, kept, Lines);

        await h.Commands.DeleteAsync([deleted], CancellationToken.None);
        await Wait.UntilAsync(async () => await CountOfAsync(h, "log_line", deleted) == 0 && await CountOfAsync(h, "hub_sync", deleted) == 0, TimeSpan.FromSeconds(60));
        (await LogRows.OfAsync(h, kept)).Where(r => r.Source == "analysis").Should().HaveCount(Lines);
    }

    [Fact]
    public async Task A_replica_without_a_hub_leaves_the_rows_another_replica_is_reporting_to_its_hub()
    {
        await using var h = await LifecycleHarness.StartAsync(new Dictionary<string, string?> { ["HUB_SYNC_INTERVAL"] = "0.2", ["LOG_LEVEL"] = "warning" });
        var deleted = await CreateExecutingAsync(h);
        await StreamAsync(h, deleted, 10);
        // What a replica with a Hub leaves behind once it has begun reporting the analysis (this host has no Hub).
        await h.Database.ExecuteAsync($"UPDATE hub_sync SET pushed_version = 1, pushed_status = 'executing', analysis_node_id = 'node' WHERE analysis_id = '{deleted}'");

        await h.Commands.DeleteAsync([deleted], CancellationToken.None);
        await Wait.UntilAsync(async () => await h.Database.CountAsync($"SELECT count(*) FROM log_stream WHERE analysis_id = '{deleted}' AND deleted") == 1, TimeSpan.FromSeconds(60));
        await h.Host.Services.GetRequiredService<LogRetention>().PurgeDeletedAsync(CancellationToken.None);

        (await CountOfAsync(h, "hub_sync", deleted)).Should().Be(1, "the other replica still has to tell its Hub how the analysis ended");
        (await LogRows.OfAsync(h, deleted)).Where(r => r.Source == "analysis").Should().HaveCount(10);
    }

    [Fact]
    public async Task Retention_removes_old_lines_and_archive_rows_keeps_recent_and_undelivered_ones_and_ingestion_goes_on()
    {
        await using var h = await LifecycleHarness.StartAsync(
            new Dictionary<string, string?>(Settings) { ["LOG_RETENTION_DAYS"] = "7", ["ARCHIVE_RETENTION_DAYS"] = "30" }, hub: true);
        var live = await CreateExecutingAsync(h);
        string old = Guid.NewGuid().ToString(), pending = Guid.NewGuid().ToString(), recent = Guid.NewGuid().ToString();

        // 40,000 delivered lines ten days old (several batches), old lines not yet forwarded to the Hub, recent lines.
        await h.Database.ExecuteAsync(
            """
            INSERT INTO log_line (analysis_id, logged_at, level, message)
            SELECT $1, now() - interval '10 days', 'info', 'old ' || n FROM generate_series(1, 40000) AS n
            """,
            old);
        await h.Database.ExecuteAsync("INSERT INTO hub_sync (analysis_id, log_cursor) SELECT $1, max(id) FROM log_line WHERE analysis_id = $1", old);
        await h.Database.ExecuteAsync(
            "INSERT INTO log_line (analysis_id, logged_at, level, message) SELECT $1, now() - interval '10 days', 'info', 'pending ' || n FROM generate_series(1, 10) AS n",
            pending);
        await h.Database.ExecuteAsync("INSERT INTO hub_sync (analysis_id, log_cursor) VALUES ($1, 0)", pending);
        await h.Database.ExecuteAsync(
            "INSERT INTO log_line (analysis_id, logged_at, level, message) SELECT $1, now() - interval '6 days', 'info', 'recent ' || n FROM generate_series(1, 10) AS n",
            recent);
        await h.Database.ExecuteAsync(
            """
            INSERT INTO archive (analysis_id, deployment_name, status, record, archived_at)
            VALUES ($1, 'analysis-old-1', 'executed', '{}'::jsonb, now() - interval '40 days'),
                   ($2, 'analysis-recent-1', 'executed', '{}'::jsonb, now() - interval '20 days')
            """,
            old,
            recent);

        // Ingestion runs while the sweep works through the old rows.
        var sweep = h.Host.Services.GetRequiredService<LogRetention>().SweepAsync(CancellationToken.None);
        await StreamAsync(h, live, 100);
        await sweep;
        await h.Host.Services.GetRequiredService<ArchiveRetention>().SweepAsync(CancellationToken.None);

        (await CountOfAsync(h, "log_line", old)).Should().Be(0, "lines older than LOG_RETENTION_DAYS go");
        (await CountOfAsync(h, "log_line", pending)).Should().Be(10, "a line still to be forwarded to the Hub stays, whatever its age");
        (await CountOfAsync(h, "log_line", recent)).Should().Be(10);
        (await LogRows.OfAsync(h, live)).Where(r => r.Source == "analysis").Should().HaveCount(100, "ingestion went on during the sweep");
        (await CountOfAsync(h, "archive", old)).Should().Be(0, "archive rows older than ARCHIVE_RETENTION_DAYS go");
        (await CountOfAsync(h, "archive", recent)).Should().Be(1);
    }

    private static Task<long> CountOfAsync(LifecycleHarness h, string table, string analysisId) =>
        h.Database.CountAsync($"SELECT count(*) FROM {table} WHERE analysis_id = '{analysisId}'");

    private static async Task<string> CreateExecutingAsync(LifecycleHarness h)
    {
        var id = Guid.NewGuid().ToString();
        h.Sandbox.Hub.RegisterAnalysis(id);
        var outcome = await h.Commands.CreateAsync(LifecycleHarness.Create(LongRunning, id), CancellationToken.None);
        outcome.Kind.Should().Be(CommandOutcomeKind.Accepted, outcome.Problem);
        await h.WaitForAsync(id, r => r.Status == AnalysisStatus.Executing);
        return id;
    }

    private static async Task StreamAsync(LifecycleHarness h, string analysisId, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await SendLineAsync(h, analysisId, $"line {i}");
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    private static async Task<HttpResponseMessage> SendLineAsync(LifecycleHarness h, string analysisId, string message)
    {
        var body = new JsonObject { ["log"] = message, ["log_type"] = "info", ["analysis_id"] = analysisId, ["status"] = "executing" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/stream_logs")
        {
            Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", h.Sandbox.Tokens.Analysis(analysisId));
        return await h.Host.Http.SendAsync(request);
    }
}
