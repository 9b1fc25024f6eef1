using Flame.Po.Core.Analyses;
using Flame.Po.Logging.Events;

namespace Flame.Po.Tests.LogService;

public sealed class GeneratedLogLinesTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 30, 6, 30, 5, TimeSpan.Zero);

    private static AnalysisEvent Event(string? from, string to, string? reason, int counter = 1, bool deleted = false) => new()
    {
        EventId = "a:2",
        AnalysisId = "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        Sequence = 2,
        DeploymentName = "analysis-3fa85f64-5717-4562-b3fc-2c963f66afa6-1",
        From = from,
        To = to,
        Reason = reason,
        RestartCounter = counter,
        Progress = 0,
        Time = Time,
        Deleted = deleted,
    };

    public static TheoryData<string?, string, string?, int, bool> Silent => new()
    {
        { "", AnalysisStatus.Starting, TransitionReasons.Created, 1, false },
        { null, AnalysisStatus.Starting, TransitionReasons.Created, 1, false },
        { AnalysisStatus.Starting, AnalysisStatus.Started, null, 1, false },
        { AnalysisStatus.Started, AnalysisStatus.Executing, null, 1, false },
        { AnalysisStatus.Executing, AnalysisStatus.Executed, TransitionReasons.Finished, 1, false },
        { AnalysisStatus.Executing, AnalysisStatus.Failed, TransitionReasons.AnalysisReportedFailure, 1, false },
        { AnalysisStatus.Stopped, AnalysisStatus.Stopped, TransitionReasons.DeletedByUser, 1, true },
        { AnalysisStatus.Executed, AnalysisStatus.Executed, TransitionReasons.DeletedByUser, 1, true },
        { AnalysisStatus.Stopped, AnalysisStatus.Stopped, TransitionReasons.StoppedByUser, 1, false },
    };

    [Theory]
    [MemberData(nameof(Silent))]
    public void Transitions_without_a_po_line(string? from, string to, string? reason, int counter, bool deleted) =>
        GeneratedLogLines.For(Event(from, to, reason, counter, deleted)).Should().BeEmpty();

    [Theory]
    [InlineData(TransitionReasons.Stuck, "could not reach the other node components")]
    [InlineData(TransitionReasons.Slow, "took too long to start")]
    [InlineData(TransitionReasons.Unresponsive, "stopped answering")]
    public void A_restart_is_a_startup_error_with_the_counter_of_the_failed_deployment(string cause, string sentence)
    {
        var line = GeneratedLogLines.For(Event(AnalysisStatus.Executing, AnalysisStatus.Starting, TransitionReasons.Restart(cause, "detail"), counter: 3)).Should().ContainSingle().Subject;

        line.Level.Should().Be("error");
        line.Status.Should().Be(AnalysisStatus.Executing, "the status before the action, as docs/compatibility.md#generated-log-lines describes");
        line.Message.Should().StartWith("[flame -- POAPI: ANALYSISSTARTUPERROR -- 2026-11-30 06:30:05] Error: ");
        line.Message.Should().Contain(sentence).And.Contain("and was restarted [restart 3 of 10].");
    }

    [Fact]
    public void The_last_allowed_deployment_failing_says_the_analysis_was_terminated()
    {
        var reason = $"{TransitionReasons.Restart(TransitionReasons.Stuck, "the analysis could not reach a node service")} [restart 10 of 10]; {TransitionReasons.NoRestartsLeft}";

        var line = GeneratedLogLines.For(Event(AnalysisStatus.Started, AnalysisStatus.Failed, reason, counter: 10)).Should().ContainSingle().Subject;

        line.Message.Should().Contain("ANALYSISSTARTUPERROR").And.Contain("[restart 10 of 10]").And.Contain("terminated");
        line.Message.Should().NotContain("was restarted");
    }

    [Fact]
    public void A_kubernetes_failure_carries_the_kubernetes_reason_on_a_second_line()
    {
        var line = GeneratedLogLines.For(Event(AnalysisStatus.Starting, AnalysisStatus.Failed, "ErrImagePull: pull access denied.")).Should().ContainSingle().Subject;

        line.Status.Should().Be(AnalysisStatus.Starting);
        line.Message.Should().Be("[flame -- POAPI: ANALYSISSTARTUPERROR -- 2026-11-30 06:30:05] Error: The analysis failed to deploy in Kubernetes [restart 1 of 10].\n\tKubernetesApiError: ErrImagePull: pull access denied.");
    }

    [Theory]
    [InlineData(TransitionReasons.StoppedByUser, "stopped locally")]
    [InlineData(TransitionReasons.DeletedByUser, "deleted locally")]
    [InlineData(TransitionReasons.StoppedByPartner, "another node")]
    public void A_stop_is_an_info_line_saying_who_stopped_it(string reason, string wording)
    {
        var line = GeneratedLogLines.For(Event(AnalysisStatus.Executing, AnalysisStatus.Stopped, reason)).Should().ContainSingle().Subject;

        line.Level.Should().Be("info");
        line.Status.Should().Be(AnalysisStatus.Stopped);
        line.Message.Should().StartWith("[flame -- POAPI: ANALYSISSTOPPED -- 2026-11-30 06:30:05] Info: ").And.Contain(wording);
    }
}
