using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Workloads;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// What the reconciler does for an analysis while it runs: renews its Keycloak token at a fraction of the
/// lifetime (docs/compatibility.md#token-refresh), and re-renders its nginx allow-list when a node service's pod IP
/// changes (docs/compatibility.md#b9).
/// </summary>
public sealed class RunningAnalysisCareTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync(tokenLifetime: TimeSpan.FromSeconds(4));

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task The_token_is_renewed_in_the_analysis_and_in_its_credentials_Secret()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-360000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        var record = await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);
        var app = _h.Sandbox.FindAnalysis(record.DeploymentName)!;
        var first = app.Token;

        await Wait.UntilAsync(() => app.Token != first, TimeSpan.FromSeconds(20));

        app.Token.Should().NotBe(first, "the PO hands a new token to the analysis before the old one expires");
        app.TokenRemainingSeconds().Should().BeGreaterThan(0);
        var secret = _h.Sandbox.Objects.Get("secrets", _h.Sandbox.Namespace, WorkloadNames.CredentialsSecretOf(command.AnalysisId))!;
        System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![AnalysisManifests.KeycloakTokenKey]!.GetValue<string>())).Should().NotBe(first);
        await _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None);
        await _h.WaitForFinishedAsync(command.AnalysisId);
    }

    [Fact]
    public async Task A_new_message_broker_pod_address_reaches_the_nginx_allow_list()
    {
        var (id, names) = await StartExecutingAsync();
        var before = _h.NginxConfig(names);
        var annotationBefore = _h.NginxConfigHash(names);

        await _h.Host.Services.GetRequiredService<CleanupCommands>().CleanupAsync(["mb"], CancellationToken.None);

        // The update writes the ConfigMap, then rolls nginx: two requests, so wait for both.
        await Wait.UntilAsync(() => _h.NginxConfig(names) != before && _h.NginxConfigHash(names) != annotationBefore, TimeSpan.FromSeconds(30));

        _h.NginxConfig(names).Should().NotBe(before, "the allow-list follows the broker's new pod address");
        _h.NginxConfigHash(names).Should().NotBe(annotationBefore, "nginx is rolled to load the new config");
        _h.NginxConfigHash(names).Should().Be(AnalysisManifests.NginxConfigHash(_h.NginxConfig(names)!), "the rolled template carries the hash of the config it loads");
        await StopAsync(id);
    }

    [Fact]
    public async Task Nginx_is_rolled_on_a_later_tick_when_the_roll_failed_after_the_new_config_was_written()
    {
        var (id, names) = await StartExecutingAsync();
        var annotationBefore = _h.NginxConfigHash(names);
        var oldBroker = RunningBrokerAddress()!;
        var failedRoll = new Flame.Sandbox.Faults.FaultRule { Route = "k8s:update:deployments", StatusCode = 500 };
        _h.Sandbox.Faults.Add(failedRoll);

        await _h.Host.Services.GetRequiredService<CleanupCommands>().CleanupAsync(["mb"], CancellationToken.None);
        // Wait for the final config (the new broker pod's address in, the old one out), not an intermediate one,
        // and until the client's retries of the roll have given up.
        var attempts = new KubernetesResilienceOptions().MaxRetries + 1;
        await Wait.UntilAsync(
            () => _h.Sandbox.Faults.Fired(failedRoll) >= attempts && RunningBrokerAddress() is { } ip && ip != oldBroker
                && _h.NginxConfig(names) is { } config && config.Contains($"allow {ip};", StringComparison.Ordinal) && !config.Contains($"allow {oldBroker};", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        _h.NginxConfigHash(names).Should().Be(annotationBefore, "the roll failed: the ConfigMap is new, nginx still runs the old config");
        _h.Sandbox.Faults.Clear();

        await Wait.UntilAsync(() => _h.NginxConfigHash(names) != annotationBefore, TimeSpan.FromSeconds(30));

        _h.NginxConfigHash(names).Should().Be(AnalysisManifests.NginxConfigHash(_h.NginxConfig(names)!), "a current ConfigMap with an old hash on nginx is still stale");
        await StopAsync(id);
    }

    private async Task<(string Id, WorkloadNames Names)> StartExecutingAsync()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-360000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        var record = await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);
        return (command.AnalysisId, WorkloadNames.For(command.AnalysisId, record.RestartCounter));
    }

    private async Task StopAsync(string id)
    {
        await _h.Commands.StopAsync([id], CancellationToken.None);
        await _h.WaitForFinishedAsync(id);
    }

    private string? RunningBrokerAddress() =>
        _h.Sandbox.Objects.List("pods", _h.Sandbox.Namespace, $"{WorkloadLabels.Component}={NodeServiceDiscovery.MessageBrokerComponent}")
            .Where(pod => pod["metadata"]?["deletionTimestamp"] is null && pod["status"]?["phase"]?.GetValue<string>() == "Running")
            .Select(pod => pod["status"]?["podIP"]?.GetValue<string>())
            .FirstOrDefault(ip => ip is not null);
}
