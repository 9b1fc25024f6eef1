using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Workloads;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// The RBAC list kept next to the lifecycle's call sites (<see cref="LifecyclePermissions"/>, which the Role in
/// deploy/ must equal) against what a lifecycle run really sends: one analysis through every path that touches
/// the cluster, with the Sandbox counting requests by verb and resource. A call site with a new verb or
/// resource makes the observed set larger than the list; a listed rule nobody uses makes it smaller.
/// </summary>
public sealed class RbacCoverageTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync(tokenLifetime: TimeSpan.FromSeconds(4));

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_full_lifecycle_sends_exactly_the_requests_the_permission_list_names()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-360000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        var record = await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);
        var names = WorkloadNames.For(command.AnalysisId, record.RestartCounter);
        var app = _h.Sandbox.FindAnalysis(record.DeploymentName)!;
        var firstToken = app.Token;
        var nginxConfig = _h.NginxConfig(names);

        // Token renewal (Secret get + update), then a new broker pod (pod list + delete) that makes the
        // reconciler re-render nginx (ConfigMap and Deployment get + update).
        await Wait.UntilAsync(() => app.Token != firstToken, TimeSpan.FromSeconds(30));
        await _h.Host.Services.GetRequiredService<CleanupCommands>().CleanupAsync(["mb"], CancellationToken.None);
        // Two writes: the ConfigMap, then the nginx Deployment's config hash (the roll).
        var rolledWith = _h.NginxConfigHash(names);
        await Wait.UntilAsync(() => _h.NginxConfig(names) != nginxConfig && _h.NginxConfigHash(names) != rolledWith, TimeSpan.FromSeconds(30));
        // Stop archives the pod logs (pods/log) and deletes the workload; delete removes the Secrets too.
        await _h.Commands.StopAsync([command.AnalysisId], CancellationToken.None);
        await _h.WaitForFinishedAsync(command.AnalysisId);
        await _h.Commands.DeleteAsync([command.AnalysisId], CancellationToken.None);
        await Wait.UntilAsync(() => _h.Sandbox.Objects.Get("secrets", _h.Sandbox.Namespace, WorkloadNames.CredentialsSecretOf(command.AnalysisId)) is null, TimeSpan.FromSeconds(30));

        var used = _h.Sandbox.Counters.Snapshot().Keys
            .Where(k => k.StartsWith("k8s:", StringComparison.Ordinal))
            .SelectMany(RulesOf)
            .Distinct()
            .ToList();

        used.Should().BeEquivalentTo(LifecyclePermissions.All);
    }

    /// <summary>
    /// The Sandbox's counter key (<c>k8s:{verb}:{resource}</c>) as RBAC rules. Its proxy key has no HTTP verb;
    /// the PO proxies GET (healthz) and POST (token and partner pushes), so it stands for both.
    /// </summary>
    private static IEnumerable<KubernetesRbacRule> RulesOf(string key)
    {
        var parts = key.Split(':');
        var (verb, resource) = (parts[1], parts[2]);
        if (verb == "proxy")
        {
            return [new("", resource + "/proxy", KubernetesRbacRule.Get), new("", resource + "/proxy", KubernetesRbacRule.Create)];
        }

        var group = resource switch
        {
            "deployments" => "apps",
            "networkpolicies" => "networking.k8s.io",
            _ => "",
        };
        return [new(group, resource, verb)];
    }
}
