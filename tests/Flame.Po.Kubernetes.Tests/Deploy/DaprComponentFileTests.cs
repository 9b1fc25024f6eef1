using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flame.Po.Core;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Kubernetes.Tests.Deploy.Support;
using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.StatusLoop;

namespace Flame.Po.Kubernetes.Tests.Deploy;

/// <summary>
/// components/ (self-hosted, `dapr run -f .`) and deploy/base/dapr/ (Kubernetes): every file parses, carries
/// the fields the Dapr docs list for its kind, agrees with the names the code uses, and the two sets agree.
/// </summary>
public sealed partial class DaprComponentFileTests
{
    private static readonly string LocalDirectory = Path.Combine(RepositoryPaths.Root, "components");
    private static readonly string KubernetesDirectory = Path.Combine(RepositoryPaths.Root, "deploy", "base", "dapr");

    public static TheoryData<string> Directories => [LocalDirectory, KubernetesDirectory];

    [Theory]
    [MemberData(nameof(Directories))]
    public void Every_file_parses_and_passes_the_dapr_schema_checks(string directory)
    {
        var resources = Load(directory).Values.ToList();

        resources.Select(DaprResourceChecks.Kind).Should().Contain(["Component", "Resiliency", "Configuration"]);
        DaprResourceChecks.Check(resources, DeployManifestChecks.AppIds).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Directories))]
    public void The_state_store_is_postgresql_v2_in_its_own_table_for_the_lifecycle_only(string directory)
    {
        var store = Load(directory)["statestore.yaml"];
        var metadata = DaprResourceChecks.Metadata(store);

        DaprResourceChecks.Name(store).Should().Be(new DaprSettings().StateStore);
        store["spec"]!["type"]!.GetValue<string>().Should().Be("state.postgresql");
        store["spec"]!["version"]!.GetValue<string>().Should().Be("v2");
        metadata["connectionString"]["secretKeyRef"].Should().NotBeNull();
        var prefix = metadata["tablePrefix"]["value"]!.GetValue<string>();
        prefix.Should().NotBeEmpty();
        var daprTables = new[] { prefix + "state", metadata["metadataTableName"]["value"]!.GetValue<string>() };
        EmbeddedTables().Should().Contain("state").And.NotContain(daprTables, "Dapr's v2 schema differs from the embedded store's: they must never share a table");
        Scopes(store).Should().Equal(AppIds.Lifecycle);
    }

    [Theory]
    [MemberData(nameof(Directories))]
    public void Pubsub_serves_all_three_apps_on_any_topic(string directory)
    {
        var pubsub = Load(directory)["pubsub.yaml"];

        DaprResourceChecks.Name(pubsub).Should().Be(Topics.PubSubName);
        Scopes(pubsub).Should().BeEquivalentTo(DeployManifestChecks.AppIds);
        DaprResourceChecks.Metadata(pubsub).Keys.Should().NotContain(["allowedTopics", "publishingScopes", "subscriptionScopes", "protectedTopics"],
            "topics are added in code (Topics.cs) without touching the component");
    }

    [Theory]
    [MemberData(nameof(Directories))]
    public void The_per_replica_pubsub_reads_the_same_streams_with_a_group_per_api_replica(string directory)
    {
        var resources = Load(directory);
        var pubsub = DaprResourceChecks.Metadata(resources["pubsub.yaml"]);
        var replicas = resources["pubsub-replicas.yaml"];
        var metadata = DaprResourceChecks.Metadata(replicas);

        DaprResourceChecks.Name(replicas).Should().Be(Topics.EveryReplicaPubSubName);
        replicas["spec"]!["type"]!.GetValue<string>().Should().Be(resources["pubsub.yaml"]["spec"]!["type"]!.GetValue<string>());
        metadata["redisHost"]["value"]!.GetValue<string>().Should().Be(pubsub["redisHost"]["value"]!.GetValue<string>(), "a message published on pubsub must be in its streams");
        metadata["consumerID"]["value"]!.GetValue<string>().Should().MatchRegex("\\{(podName|uuid)\\}", "one consumer group per replica");
        Scopes(replicas).Should().Equal(AppIds.Api);
    }

    [Theory]
    [MemberData(nameof(Directories))]
    public void The_status_loop_binding_ticks_the_lifecycle_at_the_default_interval(string directory)
    {
        var binding = Load(directory)["status-loop.yaml"];
        var metadata = DaprResourceChecks.Metadata(binding);

        DaprResourceChecks.Name(binding).Should().Be(StatusLoopJob.BindingName, "daprd posts to /<binding name>");
        binding["spec"]!["type"]!.GetValue<string>().Should().Be("bindings.cron");
        metadata["schedule"]["value"]!.GetValue<string>().Should().Be($"@every {new StatusLoopSettings().IntervalSeconds}s");
        metadata["direction"]["value"]!.GetValue<string>().Should().Be("input");
        Scopes(binding).Should().Equal(AppIds.Lifecycle);
    }

    [Fact]
    public void The_kubernetes_env_sets_the_same_interval_as_the_cron_binding()
    {
        var env = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "deploy", "base", "po.env"));
        var schedule = DaprResourceChecks.Metadata(Load(KubernetesDirectory)["status-loop.yaml"])["schedule"]["value"]!.GetValue<string>();

        env.Should().Contain($"STATUS_LOOP_INTERVAL={Every().Match(schedule).Groups[1].Value}");
    }

    [Theory]
    [MemberData(nameof(Directories))]
    public void Resiliency_covers_the_apps_the_state_store_and_pubsub(string directory)
    {
        var targets = Load(directory)["resiliency.yaml"]["spec"]!["targets"]!;

        targets["apps"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(DeployManifestChecks.AppIds);
        targets["components"]!["statestore"]!["outbound"]!["circuitBreaker"].Should().NotBeNull();
        targets["components"]!["pubsub"]!["outbound"]!["retry"].Should().NotBeNull();
        targets["components"]!["pubsub"]!["inbound"]!["retry"].Should().NotBeNull();
    }

    [Theory]
    [MemberData(nameof(Directories))]
    public void Only_the_api_may_invoke_lifecycle_and_logging_and_only_the_hub_adapter_the_api(string directory)
    {
        var files = Load(directory);

        var internalApps = Acl(files["config.yaml"]);
        var api = Acl(files["config-api.yaml"]);

        internalApps.DefaultAction.Should().Be("deny");
        internalApps.Policies.Should().ContainSingle().Which.Should().Be(("api", "allow", ""));
        api.DefaultAction.Should().Be("deny");
        api.Policies.Should().ContainSingle().Which.Should().Be(("flame-hub-adapter", "deny", "/po/**=allow"));
    }

    [Fact]
    public void The_kubernetes_copies_match_the_local_files_but_for_secrets_and_addresses()
    {
        var local = Load(LocalDirectory);
        var kubernetes = Load(KubernetesDirectory);

        kubernetes.Keys.Should().BeEquivalentTo(local.Keys.Where(k => k != "secretstore.yaml"), "Kubernetes uses its built-in secret store");
        foreach (var file in new[] { "status-loop.yaml", "resiliency.yaml" })
        {
            JsonNode.DeepEquals(local[file], kubernetes[file]).Should().BeTrue(file);
        }

        foreach (var file in new[] { "config.yaml", "config-api.yaml" })
        {
            Acl(local[file]).Policies.Should().Equal(Acl(kubernetes[file]).Policies, file);
        }

        foreach (var file in new[] { "statestore.yaml", "pubsub.yaml" })
        {
            kubernetes[file]["spec"]!["type"]!.GetValue<string>().Should().Be(local[file]["spec"]!["type"]!.GetValue<string>());
            Scopes(kubernetes[file]).Should().Equal(Scopes(local[file]));
            DaprResourceChecks.Metadata(kubernetes[file]).Keys.Should().BeEquivalentTo(DaprResourceChecks.Metadata(local[file]).Keys);
        }

        kubernetes["statestore.yaml"]["auth"]!["secretStore"]!.GetValue<string>().Should().Be("kubernetes");
    }

    [Fact]
    public void The_schema_checks_catch_broken_components()
    {
        var store = Load(LocalDirectory)["statestore.yaml"];
        store["spec"]!["metadata"]!.AsArray().Add(new JsonObject { ["name"] = "tableName", ["value"] = "state" });
        DaprResourceChecks.Metadata(store)["connectionString"].Remove("secretKeyRef");
        DaprResourceChecks.Metadata(store)["connectionString"]["value"] = "host=db password=x";
        store["scopes"] = new JsonArray("lifecycle", "orders");
        var cron = Load(LocalDirectory)["status-loop.yaml"];
        DaprResourceChecks.Metadata(cron)["schedule"]["value"] = "@every ten seconds";
        var resiliency = Load(LocalDirectory)["resiliency.yaml"];
        resiliency["spec"]!["targets"]!["apps"]!["lifecycle"]!["retry"] = "missingRetry";
        var config = Load(LocalDirectory)["config.yaml"];
        config["spec"]!["accessControl"]!["policies"]![0]!.AsObject().Remove("namespace");

        var problems = DaprResourceChecks.Check([store, cron, resiliency, config], DeployManifestChecks.AppIds);

        problems.Should().Contain(p => p.Contains("tableName is not a field of state.postgresql v2", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("connectionString must come from a secretKeyRef", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("scopes name unknown apps", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("schedule must be", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("retry missingRetry is not defined", StringComparison.Ordinal))
            .And.Contain(p => p.Contains("namespace is required", StringComparison.Ordinal));
    }

    private static Dictionary<string, JsonObject> Load(string directory) =>
        Directory.GetFiles(directory, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .ToDictionary(f => Path.GetFileName(f), YamlDocuments.ParseFile, StringComparer.Ordinal);

    private static List<string> Scopes(JsonObject resource) => [.. resource["scopes"]!.AsArray().Select(s => s!.GetValue<string>())];

    private static (string DefaultAction, List<(string AppId, string DefaultAction, string Operations)> Policies) Acl(JsonObject configuration)
    {
        var acl = configuration["spec"]!["accessControl"]!;
        return (acl["defaultAction"]!.GetValue<string>(), [.. acl["policies"]!.AsArray().Select(p => (
            p!["appId"]!.GetValue<string>(),
            p["defaultAction"]!.GetValue<string>(),
            string.Join(",", p["operations"]?.AsArray().Select(o => $"{o!["name"]}={o["action"]}") ?? [])))]);
    }

    /// <summary>Tables the embedded store's migrations create.</summary>
    private static List<string> EmbeddedTables() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "shared", "Flame.Po.Persistence", "Migrations"), "*.sql")
            .SelectMany(f => CreateTable().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))];

    [GeneratedRegex(@"CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"^@every ([0-9]+)s$")]
    private static partial Regex Every();
}
