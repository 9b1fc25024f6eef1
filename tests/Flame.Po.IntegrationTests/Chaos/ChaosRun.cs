using System.Collections.Concurrent;
using System.Diagnostics;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.IntegrationTests.LogService;
using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>What a run left behind: the facts the invariants judge, and the numbers of the summary.</summary>
public sealed record ChaosResult(ChaosFacts Facts, IReadOnlyList<ChaosViolation> Violations, ChaosSummary Summary);

/// <summary>
/// Carries out a <see cref="ChaosPlan"/>: the PO runs as a separate process against the Sandbox and a fresh PostgreSQL
/// database; the run creates, stops and deletes analyses over the PO's API, streams lines, kills and restarts the
/// host, with Kubernetes faults armed and the Hub down for a while; then it waits for every analysis to end and
/// gathers the facts.
/// </summary>
public static class ChaosRun
{
    /// <summary>
    /// Time budgets small enough for a short run, large enough for a loaded two-core machine (CI runs other test
    /// classes alongside): a stuck analysis must be found stuck, not slow, so the start-up grace leaves room for a probe
    /// that times out once. The orphan grace is longer than the harness' (see <c>ApiFixture</c>): a create can take
    /// over a second between its Secrets and its record.
    /// </summary>
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["STATUS_LOOP_INTERVAL"] = "0.2",
        ["STARTUP_GRACE"] = "8",
        ["PENDING_TIMEOUT"] = "1",
        ["UNRESPONSIVE_TIMEOUT"] = "10",
        ["HEALTHZ_TIMEOUT"] = "3",
        ["ORPHAN_GRACE"] = "15",
        ["HUB_LOGGING"] = "true",
        ["HUB_SYNC_INTERVAL"] = "0.2",
        ["HUB_RETRY_MAX"] = "3",
        ["LOG_LEVEL"] = "warning",
    };

    /// <summary>The in-process host only answers the test's reads: no status loop, no Hub delivery.</summary>
    private static readonly Dictionary<string, string?> InProcess = new()
    {
        ["HUB_URL_CORE"] = "",
        ["HUB_URL_AUTH"] = "",
        ["HUB_CLIENT_ID"] = "",
        ["HUB_CLIENT_SECRET"] = "",
    };

    public static async Task<ChaosResult> ExecuteAsync(ChaosPlan plan, Action<string> log)
    {
        var total = Stopwatch.StartNew();
        var summary = new ChaosSummary(plan);
        var h = await LifecycleHarness.StartAsync(Settings, commandsOnly: true, hub: true, inProcessOverrides: InProcess, sandboxSeed: plan.Seed);
        ChaosHost? host = null;
        try
        {
            foreach (var analysis in plan.Analyses)
            {
                h.Sandbox.Hub.RegisterAnalysis(analysis.Id);
            }

            host = new ChaosHost(new Dictionary<string, string?>(h.Settings));
            h.Sandbox.StreamLogsUrl = new Uri(host.BaseAddress, "/po/stream_logs");
            await host.StartAsync(TimeSpan.FromSeconds(90));
            summary.SetupSeconds = total.Elapsed.TotalSeconds;
            log($"Chaos run {plan.Reproduce}: {plan.Analyses.Count} analyses, {plan.Lines.Count} lines, kills at "
                + string.Join(", ", plan.Kills.Select(k => $"{k.At.TotalSeconds:F1} s")) + $", Hub down {plan.OutageFrom.TotalSeconds:F1}–{plan.OutageUntil.TotalSeconds:F1} s");

            var facts = await RunAsync(plan, h, host, summary, log);
            summary.TotalSeconds = total.Elapsed.TotalSeconds;
            var violations = ChaosInvariants.Check(facts);
            summary.Complete(facts, violations);
            return new ChaosResult(facts, violations, summary);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"The chaos run failed before its invariants could be checked ({plan.Reproduce}): {e.Message}\n{host?.Outputs}", e);
        }
        finally
        {
            if (host is not null)
            {
                try
                {
                    await host.StopAsync();
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
                {
                    log("Host did not stop gracefully: " + e.Message);
                }

                await host.DisposeAsync();
            }

            try
            {
                await h.DisposeAsync();
            }
            catch (InvalidOperationException e)
            {
                // The untracked-objects check of the harness; the invariants report orphans themselves.
                log("Harness: " + e.Message);
            }
        }
    }

    private static async Task<ChaosFacts> RunAsync(ChaosPlan plan, LifecycleHarness h, ChaosHost host, ChaosSummary summary, Action<string> log)
    {
        var ids = plan.Analyses.Select(a => a.Id).ToList();
        await using var deployments = new DeploymentMonitor(h.Sandbox);
        await using var statuses = new StatusMonitor(h.Repository, ids, TimeSpan.FromMilliseconds(200));
        using var client = new ChaosClient(h.Sandbox, host.BaseAddress);
        using var abort = new CancellationTokenSource();
        var faults = ChaosFaults.Arm(h.Sandbox, plan, DateTimeOffset.UtcNow);
        var clock = Stopwatch.StartNew();
        var created = plan.Analyses.ToDictionary(a => a.Id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        var sent = new ConcurrentBag<SentLine>();

        async Task At(TimeSpan moment)
        {
            var wait = moment - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, abort.Token);
            }
        }

        async Task Drive(PlannedAnalysis analysis)
        {
            await At(analysis.CreateAt);
            await client.CreateAsync(analysis, abort.Token);
            created[analysis.Id].SetResult();
            switch (analysis.Scenario)
            {
                case ChaosScenario.Slow:
                    // Stop it once it was restarted for being slow at least once.
                    var deadline = clock.Elapsed + TimeSpan.FromSeconds(90);
                    while (clock.Elapsed < deadline)
                    {
                        var record = (await h.Repository.GetAsync(analysis.Id, abort.Token))?.Record;
                        if (record is { RestartCounter: >= 2 } && record.Reason?.StartsWith("slow", StringComparison.Ordinal) == true)
                        {
                            break;
                        }

                        await Task.Delay(250, abort.Token);
                    }

                    await client.StopAsync(analysis.Id, abort.Token);
                    break;
                case ChaosScenario.UserStop:
                    await At(analysis.ActionAt!.Value);
                    await client.StopAsync(analysis.Id, abort.Token);
                    break;
                case ChaosScenario.UserDelete:
                    await At(analysis.ActionAt!.Value);
                    await client.DeleteAsync(analysis.Id, abort.Token);
                    break;
            }
        }

        async Task Stream(PlannedLine line)
        {
            await created[line.AnalysisId].Task.WaitAsync(abort.Token);
            await At(line.At);
            sent.Add(await client.StreamAsync(line, DateTime.UtcNow + plan.ChaosWindow, abort.Token));
        }

        async Task Kill()
        {
            for (var i = 0; i < plan.Kills.Count; i++)
            {
                await At(plan.Kills[i].At);
                var last = i == plan.Kills.Count - 1;
                var readyBy = DateTime.UtcNow + (last ? TimeSpan.FromSeconds(120) : plan.Kills[i + 1].At - clock.Elapsed);
                var kill = await host.KillAndRestartAsync(clock.Elapsed, plan.Kills[i].Downtime, readyBy, mustBeReady: last);
                log($"Killed the host at {kill.At.TotalSeconds:F1} s; down {kill.Down.TotalSeconds:F1} s, "
                    + (kill.ReadyAfter is { } ready ? $"ready {ready.TotalSeconds:F1} s later" : "killed again before it was ready"));
            }
        }

        // The first failure of any part ends the others and is the one reported.
        Exception? failure = null;
        async Task Guarded(Func<Task> part)
        {
            try
            {
                await part();
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                // Ended because another part failed, or the phase timed out.
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                await abort.CancelAsync();
            }
        }

        var work = plan.Analyses.Select(a => Guarded(() => Drive(a)))
            .Concat(plan.Lines.Select(l => Guarded(() => Stream(l))))
            .Append(Guarded(Kill))
            .ToList();
        using (var timeout = new CancellationTokenSource(plan.ChaosWindow + TimeSpan.FromSeconds(180)))
        await using (timeout.Token.Register(() => abort.Cancel()))
        {
            await Task.WhenAll(work);
        }

        if (failure is not null || abort.IsCancellationRequested)
        {
            throw new InvalidOperationException("The chaos phase did not complete: " + (failure?.Message ?? "timed out"), failure);
        }

        summary.ChaosSeconds = clock.Elapsed.TotalSeconds;
        log($"Chaos phase over after {clock.Elapsed.TotalSeconds:F1} s; waiting for every analysis to end");

        var settled = await WaitForEndAsync(plan, h.Repository, plan.SettleTimeout);
        summary.SettleSeconds = clock.Elapsed.TotalSeconds - summary.ChaosSeconds;
        if (!settled)
        {
            summary.Notes.Add($"Not every analysis ended within {plan.SettleTimeout.TotalSeconds:F0} s after the chaos phase.");
        }

        summary.Faults = faults.Fired();
        summary.KubernetesRequests = h.Sandbox.Counters.Sum("k8s:*");
        summary.WatchRequests = h.Sandbox.Counters.Sum("k8s:watch:*");
        faults.Disarm();

        var drained = Stopwatch.StartNew();
        try
        {
            await HubMirror.WaitForDrainedAsync(h, TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException e)
        {
            summary.Notes.Add("Hub delivery did not drain: " + e.Message);
        }

        summary.DrainSeconds = drained.Elapsed.TotalSeconds;
        var untracked = await h.UntrackedObjectsAsync(TimeSpan.FromSeconds(45));
        summary.Kills = host.Kills;
        summary.CommandRetries = client.CommandRetries;
        summary.MonitorSamples = statuses.Samples;
        return await GatherAsync(plan, h, untracked, deployments, statuses, [.. sent]);
    }

    private static async Task<bool> WaitForEndAsync(ChaosPlan plan, AnalysisRepository repository, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var records = (await repository.ListAsync(activeOnly: false, CancellationToken.None)).ToDictionary(s => s.Record.AnalysisId, s => s.Record, StringComparer.Ordinal);
            var ended = plan.Analyses.All(a => a.Expected.Status is null
                ? !records.ContainsKey(a.Id)
                : records.TryGetValue(a.Id, out var r) && r.Phase == LifecyclePhase.Finished && r.PendingEvents.Count == 0);
            if (ended)
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }

    private static async Task<ChaosFacts> GatherAsync(
        ChaosPlan plan, LifecycleHarness h, IReadOnlyList<string> untracked, DeploymentMonitor deployments, StatusMonitor statuses, IReadOnlyList<SentLine> lines)
    {
        var records = (await h.Repository.ListAsync(activeOnly: false, CancellationToken.None))
            .ToDictionary(s => s.Record.AnalysisId, s => new FinalRecord(s.Record.Status, s.Record.Phase.ToString(), s.Record.Reason, s.Record.RestartCounter), StringComparer.Ordinal);
        var stored = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var command = h.Database.DataSource.CreateCommand("SELECT message, count(*) FROM log_line WHERE message LIKE 'chaos-line %' GROUP BY message"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored[reader.GetString(0)] = (int)reader.GetInt64(1);
            }
        }

        return new ChaosFacts
        {
            Analyses = plan.Analyses,
            Records = records,
            ObjectsOf = plan.Analyses.ToDictionary(a => a.Id, a => h.ObjectsOf(a.Id), StringComparer.Ordinal),
            UntrackedObjects = untracked,
            KeycloakClients = plan.Analyses.Where(a => h.Sandbox.Keycloak.FindByClientId(a.Id) is not null).Select(a => a.Id).ToHashSet(StringComparer.Ordinal),
            MaxConcurrentDeployments = plan.Analyses.ToDictionary(a => a.Id, a => deployments.MaxConcurrentDeployments(a.Id), StringComparer.Ordinal),
            ObservedStatuses = statuses.Statuses,
            Lines = lines.OrderBy(l => l.Line.At).ToList(),
            StoredLines = stored,
            HubStatus = plan.Analyses.ToDictionary(a => a.Id, a => HubMirror.Status(h, a.Id), StringComparer.Ordinal),
            HubAcceptedStatuses = plan.Analyses.ToDictionary(a => a.Id, a => (IReadOnlyList<string?>)HubMirror.AcceptedUpdates(h, a.Id).Select(u => u.Status).ToList(), StringComparer.Ordinal),
            HubLines = await HubLinesAsync(plan, h),
        };
    }

    /// <summary>Per analysis that is not deleted: lines stored, and how many of them the Hub holds missing or twice.</summary>
    private static async Task<HubLineCounts> HubLinesAsync(ChaosPlan plan, LifecycleHarness h)
    {
        int stored = 0, missing = 0, duplicated = 0;
        foreach (var analysis in plan.Analyses.Where(a => a.Expected.Status is not null))
        {
            var local = (await LogRows.OfAsync(h, analysis.Id)).Select(r => r.Message).ToList();
            var atHub = HubMirror.LogMessages(h, analysis.Id).GroupBy(m => m, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            stored += local.Count;
            foreach (var group in local.GroupBy(m => m, StringComparer.Ordinal))
            {
                var copies = atHub.GetValueOrDefault(group.Key);
                missing += Math.Max(0, group.Count() - copies);
                duplicated += Math.Max(0, copies - group.Count());
            }
        }

        return new HubLineCounts(stored, missing, duplicated);
    }
}
