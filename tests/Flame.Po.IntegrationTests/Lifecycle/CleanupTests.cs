using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox.Faults;
using Flame.Testing;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// <c>DELETE /po/cleanup/{types}</c> (docs/compatibility.md#cleanup). The reconciler is frozen
/// (RECONCILER_ENABLED=false) so that only the cleanup acts: zombies are found by label, not by name
/// (docs/compatibility.md#b3), tracked analyses are never touched.
/// </summary>
public sealed class CleanupTests : IAsyncLifetime
{
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() => _h = await LifecycleHarness.StartAsync(new Dictionary<string, string?> { ["RECONCILER_ENABLED"] = "false" });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private CleanupCommands Cleanup => (CleanupCommands)_h.Host.Services.GetService(typeof(CleanupCommands))!;

    [Fact]
    public async Task The_zombie_sweep_deletes_labelled_objects_of_unknown_analyses_only()
    {
        var tracked = LifecycleHarness.Create("harbor.sandbox.local/sim/ok");
        await _h.Commands.CreateAsync(tracked, CancellationToken.None);
        var zombieId = Guid.NewGuid().ToString();
        _h.Sandbox.Objects.Create("configmaps", _h.Sandbox.Namespace, ConfigMap($"nginx-analysis-{zombieId}-1-config", zombieId));
        _h.Sandbox.Objects.Create("configmaps", _h.Sandbox.Namespace, ConfigMap("analysis-looks-like-ours-but-unlabelled", null));
        // Older than the orphan grace (1 s) plus the second by which creation timestamps may be truncated.
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var outcome = await Cleanup.CleanupAsync(["zombies"], CancellationToken.None);

        outcome.Kind.Should().Be(CommandOutcomeKind.Accepted);
        outcome.Statuses["zombies"].Should().Contain("Deleted 1 zombie nginx-configmaps").And.Contain("Deleted 0 zombie deployments");
        _h.Sandbox.Objects.Get("configmaps", _h.Sandbox.Namespace, $"nginx-analysis-{zombieId}-1-config").Should().BeNull();
        _h.Sandbox.Objects.Get("configmaps", _h.Sandbox.Namespace, "analysis-looks-like-ours-but-unlabelled").Should().NotBeNull("objects without our labels are not ours");
        _h.ObjectsOf(tracked.AnalysisId).Should().HaveCount(2, "the tracked analysis keeps its Secrets");
    }

    [Fact]
    public async Task Resetting_the_message_broker_replaces_its_pod()
    {
        var before = BrokerPods();

        var outcome = await Cleanup.CleanupAsync(["mb"], CancellationToken.None);

        outcome.Statuses.Should().ContainKey("mb").WhoseValue.Should().Be("Reset message broker");
        outcome.Statuses.Should().ContainKey("zombies");
        await Wait.UntilAsync(() => BrokerPods().Count > 0 && !BrokerPods().Intersect(before).Any(), TimeSpan.FromSeconds(20));

        BrokerPods().Should().NotBeEmpty().And.NotIntersectWith(before);
    }

    [Fact]
    public async Task Keycloak_clients_of_unknown_analyses_are_deleted_and_known_ones_kept()
    {
        var known = LifecycleHarness.Create("harbor.sandbox.local/sim/ok");
        await _h.Commands.CreateAsync(known, CancellationToken.None);
        var orphan = Guid.NewGuid().ToString();
        _h.Sandbox.Keycloak.AddClient(orphan, name: "flame-" + orphan);
        _h.Sandbox.Keycloak.AddClient(known.AnalysisId, name: "flame-" + known.AnalysisId);

        var outcome = await Cleanup.CleanupAsync(["keycloak"], CancellationToken.None);

        outcome.Statuses["keycloak"].Should().Be("Deleted 1 Keycloak clients of unknown analyses");
        _h.Sandbox.Keycloak.FindByClientId(orphan).Should().BeNull();
        _h.Sandbox.Keycloak.FindByClientId(known.AnalysisId).Should().NotBeNull();
        _h.Sandbox.Keycloak.FindByClientId("flame-po").Should().NotBeNull("the PO's own client is never an orphan");
    }

    [Fact]
    public async Task Cleanup_analyzes_deletes_every_analysis()
    {
        var first = LifecycleHarness.Create("harbor.sandbox.local/sim/ok");
        var second = LifecycleHarness.Create("harbor.sandbox.local/sim/ok");
        await _h.Commands.CreateAsync(first, CancellationToken.None);
        await _h.Commands.CreateAsync(second, CancellationToken.None);

        var outcome = await Cleanup.CleanupAsync(["analyzes"], CancellationToken.None);

        outcome.Statuses["analyzes"].Should().StartWith("Deleted 2 analysis deployments").And.Contain(first.AnalysisId).And.Contain(second.AnalysisId);
        (await _h.Repository.GetAsync(first.AnalysisId, CancellationToken.None))!.Record.Desired.Should().Be(DesiredState.Deleted);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("mb,nope")]
    [InlineData("")]
    public async Task Unknown_types_are_refused_and_change_nothing(string types)
    {
        var before = BrokerPods();

        var outcome = await Cleanup.CleanupAsync(types.Split(',', StringSplitOptions.RemoveEmptyEntries), CancellationToken.None);

        outcome.Kind.Should().Be(CommandOutcomeKind.Invalid);
        BrokerPods().Should().BeEquivalentTo(before);
    }

    [Fact]
    public async Task The_route_answers_one_entry_per_type_plus_the_zombie_summary()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/po/cleanup/mb,rs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _h.Sandbox.Tokens.Management());

        using var response = await _h.Host.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("mb", "rs", "zombies");
        body.GetProperty("rs").GetString().Should().Be("Reset storage service");

        using var bad = new HttpRequestMessage(HttpMethod.Delete, "/po/cleanup/mb,everything");
        bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _h.Sandbox.Tokens.Management());
        using var refused = await _h.Host.Http.SendAsync(bad);
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task A_Keycloak_outage_during_the_cleanup_is_reported_as_a_dependency_failure()
    {
        _h.Sandbox.Faults.Add(new FaultRule { Route = "keycloak:GET:/admin/*", StatusCode = 503 });
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/po/cleanup/keycloak");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _h.Sandbox.Tokens.Management());

        using var response = await _h.Host.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).Should().Contain("A dependency of the lifecycle is unavailable");
    }

    private List<string> BrokerPods() =>
        _h.Sandbox.Objects.List("pods", _h.Sandbox.Namespace, $"{WorkloadLabels.Component}=flame-message-broker")
            .Where(p => p["metadata"]?["deletionTimestamp"] is null)
            .Select(p => p["metadata"]!["name"]!.GetValue<string>())
            .ToList();

    private static JsonObject ConfigMap(string name, string? analysisId)
    {
        var labels = new JsonObject { [WorkloadLabels.Component] = WorkloadLabels.NginxConfigMapComponent };
        if (analysisId is not null)
        {
            labels[WorkloadLabels.AnalysisId] = analysisId;
            labels[WorkloadLabels.ManagedBy] = WorkloadLabels.ManagedByValue;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["data"] = new JsonObject { ["nginx.conf"] = "# zombie" },
        };
    }
}
