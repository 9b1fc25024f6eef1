using Flame.Po.Core.Analyses;
using Flame.Testing;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>Partner nodes' statuses from the Hub reach the running analysis (docs/compatibility.md#partner-status).</summary>
public sealed class PartnerStatusTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await LifecycleHarness.StartAsync(hub: true);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task The_partner_statuses_of_the_Hub_are_pushed_into_the_analysis()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-3000s");
        var analysisNodes = _h.Sandbox.Hub.RegisterAnalysis(command.AnalysisId, partners: 2);
        _h.Sandbox.SetPartnerStatus(analysisNodes[1], "executing");
        _h.Sandbox.SetPartnerStatus(analysisNodes[2], "stopped");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        var record = await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);

        await Wait.UntilAsync(() => (_h.Sandbox.FindAnalysis(record.DeploymentName)?.PartnerStatusCalls.Count ?? 0) > 0, TimeSpan.FromSeconds(20));

        var calls = _h.Sandbox.FindAnalysis(record.DeploymentName)!.PartnerStatusCalls;
        var pushed = calls[^1]["partner_status"]!.AsObject();
        pushed.Select(p => (p.Key, p.Value?.GetValue<string>())).Should().BeEquivalentTo(new[] { (analysisNodes[1], "executing"), (analysisNodes[2], "stopped") });
        pushed.ContainsKey(analysisNodes[0]).Should().BeFalse("the node's own entry is not a partner");
        await _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None);
        await _h.WaitForFinishedAsync(command.AnalysisId);
    }
}
