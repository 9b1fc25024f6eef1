using Flame.Po.Integrations.Hub;
using Flame.Po.Integrations.Keycloak;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.StatusLoop;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.Persistence;
using Flame.Po.ServiceDefaults;
using Flame.Po.ServiceDefaults.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flame.Po.Tests.Settings;

public sealed class SettingsValidationTests
{
    private static readonly Dictionary<string, string?> ValidPostgres = new()
    {
        ["POSTGRES_HOST"] = "db",
        ["POSTGRES_USER"] = "po",
        ["POSTGRES_PASSWORD"] = "Secr3t-Value",
        ["POSTGRES_DB"] = "po",
    };

    [Theory]
    [InlineData("POSTGRES_HOST")]
    [InlineData("POSTGRES_USER")]
    [InlineData("POSTGRES_PASSWORD")]
    [InlineData("POSTGRES_DB")]
    public void A_missing_required_variable_is_named(string variable)
    {
        var values = new Dictionary<string, string?>(ValidPostgres) { [variable] = null };

        var problems = Validate<PostgresSettings>(values);

        problems.Should().ContainSingle().Which.Should().StartWith($"{variable} is required");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = Validate<PostgresSettings>(new Dictionary<string, string?>());

        problems.Should().HaveCount(4);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    public void Port_out_of_range_is_refused(string port)
    {
        var problems = Validate<PostgresSettings>(new Dictionary<string, string?>(ValidPostgres) { ["POSTGRES_PORT"] = port });

        problems.Should().ContainSingle().Which.Should().Contain("POSTGRES_PORT");
    }

    [Fact]
    public void A_value_that_does_not_convert_names_the_variable_but_not_the_value()
    {
        var problems = Validate<PostgresSettings>(new Dictionary<string, string?>(ValidPostgres) { ["POSTGRES_PORT"] = "hunter2-not-a-port" });

        problems.Should().ContainSingle().Which.Should().Contain("POSTGRES_PORT").And.NotContain("hunter2");
    }

    [Fact]
    public void Messages_never_echo_secret_values()
    {
        var values = new Dictionary<string, string?>
        {
            ["HUB_CLIENT_SECRET"] = "hub-Secret-123",
            ["RESULT_CLIENT_SECRET"] = "kc-Secret-456",
            ["HUB_URL_CORE"] = "not a url",
        };

        var problems = Validate<HubSettings>(values).Concat(Validate<KeycloakSettings>(values)).ToList();

        problems.Should().NotBeEmpty();
        string.Join("\n", problems).Should().NotContain("Secret-123").And.NotContain("Secret-456").And.NotContain("not a url");
    }

    [Fact]
    public void Hub_settings_are_all_or_nothing()
    {
        Validate<HubSettings>(new Dictionary<string, string?>()).Should().BeEmpty();
        Validate<HubSettings>(new Dictionary<string, string?>
        {
            ["HUB_CLIENT_ID"] = "node",
            ["HUB_URL_CORE"] = "https://core.example.org",
        }).Should().ContainSingle().Which.Should().Contain("HUB_CLIENT_SECRET").And.Contain("HUB_URL_AUTH").And.NotContain("HUB_CLIENT_ID,");
    }

    [Fact]
    public void Hub_proxies_are_optional_but_must_be_urls_when_set()
    {
        var complete = new Dictionary<string, string?>
        {
            ["HUB_CLIENT_ID"] = "node",
            ["HUB_CLIENT_SECRET"] = "s",
            ["HUB_URL_CORE"] = "https://core.example.org",
            ["HUB_URL_AUTH"] = "https://auth.example.org",
        };
        Validate<HubSettings>(complete).Should().BeEmpty();

        complete["PO_HTTPS_PROXY"] = "proxy:3128";
        Validate<HubSettings>(complete).Should().ContainSingle().Which.Should().Contain("PO_HTTPS_PROXY");
    }

    [Theory]
    [InlineData("True", true)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("TRUE", false)]
    [InlineData("yes", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Hub_logging_accepts_the_truthy_values_of_the_old_service(string? value, bool expected)
    {
        Bind<HubSettings>(new Dictionary<string, string?> { ["HUB_LOGGING"] = value }).ForwardLogs.Should().Be(expected);
    }

    [Fact]
    public void Keycloak_realm_defaults_to_flame_and_admin_credentials_come_in_pairs()
    {
        Bind<KeycloakSettings>(new Dictionary<string, string?>()).Realm.Should().Be("flame");
        Validate<KeycloakSettings>(new Dictionary<string, string?> { ["RESULT_CLIENT_ID"] = "service1" })
            .Should().ContainSingle().Which.Should().Contain("RESULT_CLIENT_SECRET");
        Validate<KeycloakSettings>(new Dictionary<string, string?> { ["KEYCLOAK_REALM"] = "a/b" })
            .Should().ContainSingle().Which.Should().Contain("KEYCLOAK_REALM");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void Status_loop_interval_must_be_positive(string value)
    {
        Validate<StatusLoopSettings>(new Dictionary<string, string?> { ["STATUS_LOOP_INTERVAL"] = value })
            .Should().ContainSingle().Which.Should().Contain("STATUS_LOOP_INTERVAL");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("4097")]
    public void Probe_parallelism_must_be_within_its_range(string value)
    {
        Validate<LifecycleSettings>(new Dictionary<string, string?> { ["PROBE_PARALLELISM"] = value })
            .Should().ContainSingle().Which.Should().Contain("PROBE_PARALLELISM");
    }

    [Fact]
    public void Probes_run_far_wider_than_steps_by_default()
    {
        var settings = Bind<LifecycleSettings>(new Dictionary<string, string?>());

        settings.Parallelism.Should().Be(32);
        settings.ProbeParallelism.Should().Be(256, "probes wait on the network; a few silent analyses must not fill every slot");
    }

    [Fact]
    public void Defaults_match_the_service_we_replace()
    {
        Bind<StatusLoopSettings>(new Dictionary<string, string?>()).Interval.Should().Be(TimeSpan.FromSeconds(10));
        Bind<WorkloadSettings>(new Dictionary<string, string?>()).NginxImage.Should().Be("nginx:1.29.8");
        Bind<PostgresSettings>(ValidPostgres).Port.Should().Be(5432);
    }

    [Fact]
    public void Validating_a_provider_throws_one_exception_listing_every_problem()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["STATUS_LOOP_INTERVAL"] = "0" }).Build();
        services.AddSettings<PostgresSettings>(configuration);
        services.AddSettings<StatusLoopSettings>(configuration);
        using var provider = services.BuildServiceProvider();

        var act = () => provider.ValidateSettings();

        act.Should().Throw<ConfigurationException>().Which.Problems.Should().HaveCount(5);
    }

    private static T Bind<T>(Dictionary<string, string?> values)
        where T : class, Flame.Po.Core.Settings.IValidatedSettings
    {
        var services = new ServiceCollection();
        services.AddSettings<T>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }

    private static List<string> Validate<T>(Dictionary<string, string?> values)
        where T : class, Flame.Po.Core.Settings.IValidatedSettings
    {
        var services = new ServiceCollection();
        services.AddSettings<T>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.ValidateSettings();
            return [];
        }
        catch (ConfigurationException e)
        {
            return [.. e.Problems];
        }
    }
}
