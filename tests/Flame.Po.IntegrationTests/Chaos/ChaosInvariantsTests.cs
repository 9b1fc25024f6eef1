using Flame.Po.Core.Analyses;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>The invariants of the chaos suite can fail: each broken fact of a fabricated run is reported with its offender.</summary>
public sealed class ChaosInvariantsTests
{
    private static readonly ChaosPlan Plan = ChaosPlan.Create(seed: 7, size: 8);

    private static string Id(ChaosScenario scenario) => Plan.Analyses.First(a => a.Scenario == scenario).Id;

    /// <summary>A run in which everything went right.</summary>
    private static ChaosFacts Clean()
    {
        var records = Plan.Analyses.Where(a => a.Expected.Status is not null).ToDictionary(
            a => a.Id,
            a => new FinalRecord(a.Expected.Status!, "Finished", Reason(a.Scenario), a.Expected.RestartCounter ?? a.Expected.MinRestartCounter ?? 1));
        var line = new PlannedLine(Id(ChaosScenario.Ok), "chaos-line a #1 keyed", TimeSpan.FromSeconds(3), "chaos-a-1", ResendAfterAck: true);
        var lost = new PlannedLine(Id(ChaosScenario.Ok), "chaos-line a #2 plain", TimeSpan.FromSeconds(4), null, ResendAfterAck: false);
        return new ChaosFacts
        {
            Analyses = Plan.Analyses,
            Records = records,
            ObjectsOf = Plan.Analyses.ToDictionary(a => a.Id, _ => (IReadOnlyList<string>)[]),
            UntrackedObjects = [],
            KeycloakClients = new HashSet<string>(),
            MaxConcurrentDeployments = Plan.Analyses.ToDictionary(a => a.Id, _ => 1),
            ObservedStatuses = Plan.Analyses.ToDictionary(
                a => a.Id,
                a => (IReadOnlyList<string?>)(a.Expected.Status is null ? ["starting", "stopped", null] : ["starting", a.Expected.Status])),
            Lines = [new SentLine(line, Acknowledged: true, Attempts: 2), new SentLine(lost, Acknowledged: false, Attempts: 1)],
            StoredLines = new Dictionary<string, int> { [line.Message] = 1 },
            HubStatus = Plan.Analyses.ToDictionary(a => a.Id, a => (string?)a.Expected.HubStatus),
            HubAcceptedStatuses = Plan.Analyses.ToDictionary(a => a.Id, a => (IReadOnlyList<string?>)["started", a.Expected.HubStatus]),
            HubLines = new HubLineCounts(10, 0, 2),
        };
    }

    private static string Reason(ChaosScenario scenario) => scenario switch
    {
        ChaosScenario.Ok => TransitionReasons.Finished,
        ChaosScenario.Stuck => "stuck: the analysis could not reach a node service [restart 10 of 10]; no restarts left.",
        ChaosScenario.PullError => "ErrImagePull: failed to pull",
        ChaosScenario.Crashloop => "CrashLoopBackOff: the analysis container keeps exiting (Error, exit code 1).",
        ChaosScenario.Oom => "OOMKilled: the analysis container ran out of memory (exit code 137).",
        _ => TransitionReasons.StoppedByUser,
    };

    [Fact]
    public void The_plan_is_seeded_has_every_kind_and_at_least_three_kills_one_in_the_hub_outage()
    {
        var again = ChaosPlan.Create(seed: 7, size: 8);
        again.Analyses.Select(a => (a.Id, a.Scenario, a.Image, a.CreateAt)).Should().Equal(Plan.Analyses.Select(a => (a.Id, a.Scenario, a.Image, a.CreateAt)));
        Plan.Analyses.Select(a => a.Scenario).Distinct().Should().HaveCount(Enum.GetValues<ChaosScenario>().Length);
        Plan.Kills.Should().HaveCountGreaterThanOrEqualTo(3).And.Contain(k => k.At >= Plan.OutageFrom && k.At < Plan.OutageUntil);
        ChaosPlan.Create(seed: 8, size: 200).Analyses.Should().HaveCount(200);
        ChaosPlan.Create(seed: 8, size: 8).Analyses.Select(a => a.Id).Should().NotIntersectWith(Plan.Analyses.Select(a => a.Id));
    }

    [Theory]
    [InlineData(ChaosPlan.DefaultSeed, ChaosPlan.DefaultSize)]
    [InlineData(1, ChaosPlan.DefaultSize)]
    [InlineData(2, ChaosPlan.DefaultSize)]
    [InlineData(ChaosPlan.DefaultSeed, 200)]
    public void Kills_are_spread_over_the_chaos_window_and_one_falls_in_the_hub_outage(int seed, int size)
    {
        var plan = ChaosPlan.Create(seed, size);

        plan.Kills.Should().HaveCountGreaterThanOrEqualTo(3).And.Contain(k => k.At >= plan.OutageFrom && k.At < plan.OutageUntil);
        plan.Kills.Zip(plan.Kills.Skip(1)).Should().OnlyContain(pair => pair.Second.At - pair.First.At >= TimeSpan.FromSeconds(12));
        plan.Kills.Should().OnlyContain(k => k.At < plan.ChaosWindow);
    }

    [Theory]
    [InlineData(ChaosPlan.DefaultSeed, ChaosPlan.DefaultSize)]
    [InlineData(1, 8)]
    [InlineData(ChaosPlan.DefaultSeed, 200)]
    [InlineData(3, 400)]
    public void In_three_process_mode_the_lifecycle_takes_three_kills_and_every_kill_in_the_hub_outage(int seed, int size)
    {
        var plan = ChaosPlan.Create(seed, size);

        var processes = plan.Kills.Select((_, i) => ThreeProcessChaosTarget.ProcessFor(plan, i)).ToList();

        processes.Count(p => p == "lifecycle").Should().BeGreaterThanOrEqualTo(3);
        processes.Where((_, i) => plan.Kills[i].At >= plan.OutageFrom && plan.Kills[i].At < plan.OutageUntil).Should().NotBeEmpty().And.OnlyContain(p => p == "lifecycle");
        processes.Should().OnlyContain(p => p == "lifecycle" || p == "logging" || p == "api");
        if (processes.Count(p => p != "lifecycle") >= 2)
        {
            processes.Should().Contain("logging").And.Contain("api", "larger plans also kill logging and the api");
        }
    }

    [Fact]
    public void A_clean_run_breaks_no_invariant() => ChaosInvariants.Check(Clean()).Should().BeEmpty();

    [Fact]
    public void An_object_left_behind_is_an_orphan()
    {
        var ok = Id(ChaosScenario.Ok);
        var facts = Clean() with
        {
            ObjectsOf = Clean().ObjectsOf.ToDictionary(kv => kv.Key, kv => kv.Key == ok ? (IReadOnlyList<string>)["services/analysis-x-1"] : kv.Value),
            UntrackedObjects = ["secrets/analysis-pull-y"],
        };

        var violations = ChaosInvariants.Check(facts);

        violations.Should().HaveCount(2).And.OnlyContain(v => v.Invariant == ChaosInvariants.NoOrphans);
        violations.SelectMany(v => v.Offenders).Should().Contain(o => o.Contains(ok, StringComparison.Ordinal)).And.Contain("secrets/analysis-pull-y");
    }

    [Fact]
    public void A_wrong_status_reason_or_budget_is_reported_per_analysis()
    {
        var stuck = Id(ChaosScenario.Stuck);
        var oom = Id(ChaosScenario.Oom);
        var deleted = Id(ChaosScenario.UserDelete);
        var records = Clean().Records.ToDictionary(kv => kv.Key, kv => kv.Value);
        records[stuck] = records[stuck] with { RestartCounter = 9 };
        records[oom] = records[oom] with { Reason = "CrashLoopBackOff: keeps exiting" };
        records[deleted] = new FinalRecord(AnalysisStatus.Stopped, "Finished", TransitionReasons.DeletedByUser, 1);

        var violation = ChaosInvariants.Check(Clean() with { Records = records }).Should().ContainSingle().Subject;

        violation.Invariant.Should().Be(ChaosInvariants.TerminalState);
        violation.Offenders.Should().HaveCount(3);
        string.Join("\n", violation.Offenders).Should().Contain(stuck).And.Contain(oom).And.Contain(deleted);
    }

    [Fact]
    public void Two_deployments_at_once_are_reported()
    {
        var ok = Id(ChaosScenario.Ok);
        var facts = Clean() with { MaxConcurrentDeployments = new Dictionary<string, int> { [ok] = 2 } };

        ChaosInvariants.Check(facts).Should().ContainSingle().Which.Should().Match<ChaosViolation>(v => v.Invariant == ChaosInvariants.OneDeployment && v.Offenders[0].StartsWith(ok));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(2, true)]
    [InlineData(1, false)]
    public void An_acknowledged_line_must_be_stored_exactly_once(int copies, bool broken)
    {
        var facts = Clean();
        var message = facts.Lines[0].Line.Message;

        var violations = ChaosInvariants.Check(facts with { StoredLines = new Dictionary<string, int> { [message] = copies } });

        violations.Any(v => v.Invariant == ChaosInvariants.LinesOnce).Should().Be(broken);
    }

    [Fact]
    public void An_unacknowledged_line_may_be_stored_once_but_not_twice()
    {
        var facts = Clean();
        var stored = new Dictionary<string, int> { [facts.Lines[0].Line.Message] = 1, [facts.Lines[1].Line.Message] = 1 };
        ChaosInvariants.Check(facts with { StoredLines = stored }).Should().BeEmpty();

        stored[facts.Lines[1].Line.Message] = 2;
        ChaosInvariants.Check(facts with { StoredLines = stored }).Should().ContainSingle().Which.Invariant.Should().Be(ChaosInvariants.LinesOnce);
    }

    [Fact]
    public void A_terminal_status_missing_in_the_hub_or_a_lost_line_is_reported()
    {
        var crash = Id(ChaosScenario.Crashloop);
        var hub = Clean().HubStatus.ToDictionary(kv => kv.Key, kv => kv.Key == crash ? "executing" : kv.Value);

        var violations = ChaosInvariants.Check(Clean() with { HubStatus = hub, HubLines = new HubLineCounts(10, 1, 0) });

        violations.Should().HaveCount(2).And.OnlyContain(v => v.Invariant == ChaosInvariants.HubReached);
        violations[0].Offenders.Should().ContainSingle().Which.Should().Contain(crash);
    }

    [Fact]
    public void A_terminal_status_replaced_in_the_hub_or_locally_or_a_deleted_record_coming_back_is_reported()
    {
        var stop = Id(ChaosScenario.UserStop);
        var deleted = Id(ChaosScenario.UserDelete);
        var ok = Id(ChaosScenario.Ok);
        var hub = Clean().HubAcceptedStatuses.ToDictionary(kv => kv.Key, kv => kv.Key == stop ? ["started", "failed", null, "stopped"] : kv.Value);
        var local = Clean().ObservedStatuses.ToDictionary(
            kv => kv.Key,
            kv => kv.Key == deleted ? ["starting", "stopped", null, "stopped"] : kv.Key == ok ? (IReadOnlyList<string?>)["executing", "executed", "executing", "executed"] : kv.Value);

        var violations = ChaosInvariants.Check(Clean() with { HubAcceptedStatuses = hub, ObservedStatuses = local });

        violations.Should().HaveCount(2).And.OnlyContain(v => v.Invariant == ChaosInvariants.NeverOverwritten);
        violations.SelectMany(v => v.Offenders).Should().HaveCount(3);
        ChaosInvariants.OverwritesTerminal(["starting", "started", "executing", "executed"], allowGone: false).Should().BeNull();
        ChaosInvariants.OverwritesTerminal(["executed", null, "executed"], allowGone: false).Should().BeNull("a progress-only update has no status");
    }

    [Fact]
    public void A_workflow_instance_left_running_or_failed_is_reported_and_a_mode_without_workflows_is_not_judged()
    {
        var ok = Id(ChaosScenario.Ok);
        IReadOnlyList<WorkflowEnd> completed =
        [
            new($"{ok}-start-1-1", "StartDeploymentWorkflow", "COMPLETED", null),
            new($"{ok}-stop-1", "StopAnalysisWorkflow", "COMPLETED", null),
        ];
        ChaosInvariants.Check(Clean() with { Workflows = completed }).Should().BeEmpty();
        ChaosInvariants.Check(Clean() with { Workflows = null }).Should().BeEmpty();

        IReadOnlyList<WorkflowEnd> open =
        [
            .. completed,
            new($"{ok}-restart-1-1", "RestartDeploymentWorkflow", "RUNNING", null),
            new($"{ok}-start-2-1", "StartDeploymentWorkflow", "FAILED", "Task 'CreateObjectsActivity' (#3) failed with an unhandled exception: " + new string('x', 500)),
        ];
        var violation = ChaosInvariants.Check(Clean() with { Workflows = open }).Should().ContainSingle().Subject;

        violation.Invariant.Should().Be(ChaosInvariants.WorkflowsCompleted);
        violation.Offenders.Should().HaveCount(2);
        violation.Offenders[0].Should().Contain("-restart-1-1").And.Contain("RUNNING");
        violation.Offenders[1].Should().Contain("FAILED").And.Contain("CreateObjectsActivity").And.EndWith("…");
    }
}
