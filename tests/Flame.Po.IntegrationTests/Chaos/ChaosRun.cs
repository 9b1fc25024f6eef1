using System.Collections.Concurrent;
using System.Diagnostics;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.IntegrationTests.LogService;
using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>What a run left behind: the facts the invariants judge, and the numbers of the summary.</summary>
public sealed record ChaosResult(ChaosFacts Facts, IReadOnlyList<ChaosViolation> Violations, ChaosSummary Summary);

/// <summary>
/// Carries out a <see cref="ChaosPlan"/> against the PO in either <see cref="ChaosMode"/> (an <see cref="IChaosTarget"/>
/// against the Sandbox and a fresh PostgreSQL database): the run creates, stops and deletes analyses over the PO's API,
/// streams lines, kills and restarts the PO, with Kubernetes faults armed and the Hub down for a while; then it waits
/// for every analysis to end and gathers the facts, from where they live in that mode.
/// </summary>
public static class ChaosRun
{
    /// <summary>
    /// Time budgets small enough for a short run, large enough for a loaded two-core machine (CI runs other test
    /// classes alongside): a stuck analysis must be found stuck, not slow, so the start-up grace leaves room for a probe
    /// that times out once. The orphan grace is longer than the harness' (see <c>ApiFixture</c>): a create can take
    /// over a second between its Secrets and its record. The same in both modes.
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

    public static async Task<ChaosResult> ExecuteAsync(ChaosPlan plan, ChaosMode mode, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        var total = Stopwatch.StartNew();
        var summary = new ChaosSummary(plan) { Mode = mode };
        IChaosTarget target = mode switch
        {
            ChaosMode.ThreeProcess => await ThreeProcessChaosTarget.StartAsync(plan, Settings),
            _ => await AllInOneChaosTarget.StartAsync(plan, Settings, log),
        };
        try
        {
            foreach (var analysis in plan.Analyses)
            {
                target.Sandbox.Hub.RegisterAnalysis(analysis.Id);
            }

            summary.SetupSeconds = total.Elapsed.TotalSeconds;
            log($"Chaos run ({mode}) {plan.Reproduce}: {plan.Analyses.Count} analyses, {plan.Lines.Count} lines, kills at "
                + string.Join(", ", plan.Kills.Select(k => $"{k.At.TotalSeconds:F1} s")) + $", Hub down {plan.OutageFrom.TotalSeconds:F1}–{plan.OutageUntil.TotalSeconds:F1} s");

            var facts = await RunAsync(plan, target, summary, log);
            summary.TotalSeconds = total.Elapsed.TotalSeconds;
            var violations = ChaosInvariants.Check(facts);
            summary.Complete(facts, violations);
            return new ChaosResult(facts, violations, summary);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"The chaos run ({mode}) failed before its invariants could be checked ({plan.Reproduce}): {e.Message}\n{target.Outputs}", e);
        }
        finally
        {
            await target.DisposeAsync();
        }
    }

    private static async Task<ChaosFacts> RunAsync(ChaosPlan plan, IChaosTarget target, ChaosSummary summary, Action<string> log)
    {
        var ids = plan.Analyses.Select(a => a.Id).ToList();
        await using var deployments = new DeploymentMonitor(target.Sandbox);
        await using var statuses = new StatusMonitor(target.Records, ids, TimeSpan.FromMilliseconds(200));
        await using var workflowRuns = new WorkflowMonitor(target, TimeSpan.FromMilliseconds(500));
        using var client = new ChaosClient(target.Sandbox, target.BaseAddress);
        using var abort = new CancellationTokenSource();
        var faults = ChaosFaults.Arm(target.Sandbox, plan, DateTimeOffset.UtcNow);
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
                        var record = (await target.Records.GetAsync(analysis.Id, abort.Token))?.Record;
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
                var kill = await target.KillAndRestartAsync(i, clock.Elapsed, plan.Kills[i].Downtime, readyBy, mustBeReady: last);
                log($"Killed {kill.Process} at {kill.At.TotalSeconds:F1} s; down {kill.Down.TotalSeconds:F1} s, "
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

        var settled = await WaitForEndAsync(plan, target.Records, plan.SettleTimeout);
        summary.SettleSeconds = clock.Elapsed.TotalSeconds - summary.ChaosSeconds;
        if (!settled)
        {
            summary.Notes.Add($"Not every analysis ended within {plan.SettleTimeout.TotalSeconds:F0} s after the chaos phase.");
        }

        summary.Faults = faults.Fired();
        summary.KubernetesRequests = target.Sandbox.Counters.Sum("k8s:*");
        summary.WatchRequests = target.Sandbox.Counters.Sum("k8s:watch:*");
        faults.Disarm();

        var drained = Stopwatch.StartNew();
        try
        {
            await target.WaitForDrainedAsync(TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException e)
        {
            summary.Notes.Add("Hub delivery did not drain: " + e.Message);
        }

        summary.DrainSeconds = drained.Elapsed.TotalSeconds;
        var untracked = await LifecycleHarness.UntrackedObjectsAsync(target.Sandbox, target.Records, TimeSpan.FromSeconds(45));
        var workflows = await target.WorkflowsAsync(TimeSpan.FromSeconds(30));
        summary.Kills = target.Kills;
        summary.CommandRetries = client.CommandRetries;
        summary.MonitorSamples = statuses.Samples;
        summary.BrokenWorkflowRuns = workflowRuns.Broken;
        return await GatherAsync(plan, target, untracked, deployments, statuses, [.. sent], workflows);
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
        ChaosPlan plan,
        IChaosTarget target,
        IReadOnlyList<string> untracked,
        DeploymentMonitor deployments,
        StatusMonitor statuses,
        IReadOnlyList<SentLine> lines,
        IReadOnlyList<WorkflowEnd>? workflows)
    {
        var sandbox = target.Sandbox;
        var records = (await target.Records.ListAsync(activeOnly: false, CancellationToken.None))
            .ToDictionary(s => s.Record.AnalysisId, s => new FinalRecord(s.Record.Status, s.Record.Phase.ToString(), s.Record.Reason, s.Record.RestartCounter), StringComparer.Ordinal);
        var stored = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var command = target.Database.DataSource.CreateCommand("SELECT message, count(*) FROM log_line WHERE message LIKE 'chaos-line %' GROUP BY message"))
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
            ObjectsOf = plan.Analyses.ToDictionary(a => a.Id, a => LifecycleHarness.ObjectsOf(sandbox, a.Id), StringComparer.Ordinal),
            UntrackedObjects = untracked,
            KeycloakClients = plan.Analyses.Where(a => sandbox.Keycloak.FindByClientId(a.Id) is not null).Select(a => a.Id).ToHashSet(StringComparer.Ordinal),
            MaxConcurrentDeployments = plan.Analyses.ToDictionary(a => a.Id, a => deployments.MaxConcurrentDeployments(a.Id), StringComparer.Ordinal),
            ObservedStatuses = statuses.Statuses,
            Lines = lines.OrderBy(l => l.Line.At).ToList(),
            StoredLines = stored,
            HubStatus = plan.Analyses.ToDictionary(a => a.Id, a => HubMirror.Status(sandbox, a.Id), StringComparer.Ordinal),
            HubAcceptedStatuses = plan.Analyses.ToDictionary(a => a.Id, a => (IReadOnlyList<string?>)HubMirror.AcceptedUpdates(sandbox, a.Id).Select(u => u.Status).ToList(), StringComparer.Ordinal),
            HubLines = await HubLinesAsync(plan, target),
            Workflows = workflows,
        };
    }

    /// <summary>Per analysis that is not deleted: lines stored, and how many of them the Hub holds missing or twice.</summary>
    private static async Task<HubLineCounts> HubLinesAsync(ChaosPlan plan, IChaosTarget target)
    {
        int stored = 0, missing = 0, duplicated = 0;
        foreach (var analysis in plan.Analyses.Where(a => a.Expected.Status is not null))
        {
            var local = (await LogRows.OfAsync(target.Database, analysis.Id)).Select(r => r.Message).ToList();
            var atHub = HubMirror.LogMessages(target.Sandbox, analysis.Id).GroupBy(m => m, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
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
