using Flame.Po.Core.Analyses;
using Flame.Po.Logging.Hub;

namespace Flame.Po.Tests.LogService;

/// <summary>The Hub's status is never downgraded from a terminal value (docs/compatibility.md#hub), except by a new run.</summary>
public sealed class HubStatusRuleTests
{
    public static TheoryData<string?, string, bool, string> Table()
    {
        var data = new TheoryData<string?, string, bool, string>();
        var all = AnalysisStatus.All;
        foreach (var current in all.Cast<string?>().Append(null))
        {
            foreach (var wanted in all)
            {
                foreach (var newRun in new[] { false, true })
                {
                    var expected = !newRun && current is not null && AnalysisStatus.IsTerminal(current) ? current : wanted;
                    data.Add(current, wanted, newRun, expected);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Next_status(string? current, string wanted, bool newRun, string expected) =>
        HubSyncRows.NextStatus(current, wanted, newRun).Should().Be(expected);

    [Fact]
    public void A_stop_after_failure_keeps_failed() =>
        HubSyncRows.NextStatus(AnalysisStatus.Failed, AnalysisStatus.Stopped, newRun: false).Should().Be(AnalysisStatus.Failed);

    [Fact]
    public void A_new_run_after_executed_starts_again() =>
        HubSyncRows.NextStatus(AnalysisStatus.Executed, AnalysisStatus.Starting, newRun: true).Should().Be(AnalysisStatus.Starting);
}
