using System.Text.Json;

using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Workloads;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// The snapshot a command's follow-up reconciles with: only the analysis' own objects and the node services its
/// nginx needs, so a burst of N creates costs N small lists instead of N lists of the whole namespace. It must
/// observe exactly what the tick's full snapshot observes for that analysis.
/// </summary>
public sealed class ClusterSnapshotTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync(new Dictionary<string, string?> { ["STARTUP_GRACE"] = "3600" });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task One_analysis_snapshot_holds_its_objects_and_the_node_services_only_and_observes_like_the_full_one()
    {
        var mine = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-3000s");
        var other = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-3000s");
        await _h.Commands.CreateAsync(mine, CancellationToken.None);
        await _h.Commands.CreateAsync(other, CancellationToken.None);
        var record = await _h.WaitForAsync(mine.AnalysisId, r => r.Status == AnalysisStatus.Executing);
        await _h.WaitForAsync(other.AnalysisId, r => r.Status == AnalysisStatus.Executing);
        var cluster = _h.Host.Services.GetRequiredService<ClusterConnection>();
        var client = cluster.Client;

        var full = await ClusterSnapshot.LoadAsync(client, cluster.Namespace, analysisId: null, CancellationToken.None);
        var single = await ClusterSnapshot.LoadAsync(client, cluster.Namespace, mine.AnalysisId, CancellationToken.None);

        single.OwnedObjects().Select(ClusterSnapshot.AnalysisIdOf).Distinct().Should().Equal(mine.AnalysisId);
        single.OwnedObjects().Select(Key).Should().BeEquivalentTo(full.OwnedObjects().Where(o => ClusterSnapshot.AnalysisIdOf(o) == mine.AnalysisId).Select(Key));
        single.Pods.Should().NotContain(p => ClusterSnapshot.AnalysisIdOf(p) == other.AnalysisId);
        single.Pods.Where(p => ClusterSnapshot.AnalysisIdOf(p) is null).Select(p => p.Metadata.Labels![WorkloadLabels.Component]).Distinct()
            .Should().BeEquivalentTo([NodeServiceDiscovery.MessageBrokerComponent, NodeServiceDiscovery.PodOrchestratorComponent]);
        single.Services.Count.Should().BeLessThan(full.Services.Count, "the other analysis' Services are not listed");

        var singleView = new ClusterView(single);
        var fullView = new ClusterView(full);
        singleView.Node.IsKnown.Should().BeTrue(singleView.Node.Error);
        singleView.Node.Should().BeEquivalentTo(fullView.Node);
        Json(singleView.Observe(record, probe: null)).Should().Be(Json(fullView.Observe(record, probe: null)));
    }

    [Fact]
    public async Task Network_policies_are_read_as_metadata_only_and_the_tick_still_sees_each_one()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-3000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        var record = await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);
        var cluster = _h.Host.Services.GetRequiredService<ClusterConnection>();
        var names = WorkloadNames.For(record.AnalysisId, record.RestartCounter);

        foreach (var snapshot in new[]
        {
            await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId: null, CancellationToken.None),
            await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, command.AnalysisId, CancellationToken.None),
        })
        {
            var mine = snapshot.NetworkPolicies.Where(p => ClusterSnapshot.AnalysisIdOf(p) == command.AnalysisId).ToList();
            mine.Select(p => p.Metadata.Name).Should().BeEquivalentTo([names.AnalysisNetworkPolicy, names.NginxNetworkPolicy]);
            snapshot.NetworkPolicies.Should().OnlyContain(p => p.Spec == null, "the rules are written from the manifests, never read back");
            snapshot.NetworkPolicies.Should().OnlyContain(p => p.Metadata.Uid != null && p.Metadata.Labels != null);
            mine.Should().OnlyContain(p => KubernetesObjects.KindOf(p) == "NetworkPolicy");
        }

        _h.Sandbox.Objects.Get("networkpolicies", _h.Sandbox.Namespace, names.AnalysisNetworkPolicy)!["spec"].Should().NotBeNull("the policy itself is whole");
    }

    [Fact]
    public async Task Secrets_are_read_as_metadata_only_the_credentials_never_reach_the_snapshot()
    {
        var command = LifecycleHarness.Create("harbor.sandbox.local/sim/ok:runtime-3000s");
        await _h.Commands.CreateAsync(command, CancellationToken.None);
        await _h.WaitForAsync(command.AnalysisId, r => r.Status == AnalysisStatus.Executing);
        var cluster = _h.Host.Services.GetRequiredService<ClusterConnection>();

        foreach (var snapshot in new[]
        {
            await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId: null, CancellationToken.None),
            await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, command.AnalysisId, CancellationToken.None),
        })
        {
            snapshot.Secrets.Select(s => s.Metadata.Name).Should().Contain([WorkloadNames.PullSecretOf(command.AnalysisId), WorkloadNames.CredentialsSecretOf(command.AnalysisId)]);
            snapshot.Secrets.Should().OnlyContain(s => s.Data == null && s.StringData == null && s.Type == null, "a tick needs names, labels and uids, not registry credentials or tokens");
            snapshot.Secrets.Should().OnlyContain(s => s.Metadata.Uid != null && s.Metadata.Labels != null && s.Metadata.CreationTimestamp != null);
        }

        _h.Sandbox.Objects.Get("secrets", _h.Sandbox.Namespace, WorkloadNames.CredentialsSecretOf(command.AnalysisId))!["data"].Should().NotBeNull("the Secret itself is whole");
    }

    [Fact]
    public async Task A_single_analysis_load_with_a_missing_node_service_reports_it_like_the_tick()
    {
        var cluster = _h.Host.Services.GetRequiredService<ClusterConnection>();
        var client = cluster.Client;
        var broker = _h.Sandbox.Objects.List("services", _h.Sandbox.Namespace, $"{WorkloadLabels.Component}={NodeServiceDiscovery.MessageBrokerComponent}").Single();
        _h.Sandbox.Objects.Delete("services", _h.Sandbox.Namespace, (string)broker["metadata"]!["name"]!);

        var single = new ClusterView(await ClusterSnapshot.LoadAsync(client, cluster.Namespace, LifecycleHarness.Create("harbor.sandbox.local/sim/ok").AnalysisId, CancellationToken.None));
        var full = new ClusterView(await ClusterSnapshot.LoadAsync(client, cluster.Namespace, analysisId: null, CancellationToken.None));

        single.Node.IsKnown.Should().BeFalse();
        single.Node.Error.Should().Be(full.Node.Error).And.Contain(NodeServiceDiscovery.MessageBrokerComponent);
    }

    private static string Key(k8s.IKubernetesObject<k8s.Models.V1ObjectMeta> item) => $"{item.GetType().Name}/{item.Metadata.Name}";

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
