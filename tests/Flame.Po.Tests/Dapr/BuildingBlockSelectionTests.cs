using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Flame.Po.Host;
using Flame.Po.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Tests.Dapr;

/// <summary>
/// The Dapr adapters are chosen when <c>DAPR_HTTP_PORT</c> is set, the embedded ones otherwise, and
/// <c>PO_BUILDING_BLOCKS</c> overrides the choice (docs/architecture.md#services-and-targets).
/// </summary>
public sealed class BuildingBlockSelectionTests
{
    [Theory]
    [InlineData(null, null, false)]
    [InlineData("3500", null, true)]
    [InlineData("3500", "auto", true)]
    [InlineData("3500", "embedded", false)]
    [InlineData("3500", "dapr", true)]
    public async Task The_sidecar_port_selects_the_dapr_adapters_unless_overridden(string? port, string? mode, bool dapr)
    {
        await using var app = Build(port, mode);

        var services = app.Services;
        if (dapr)
        {
            services.GetRequiredService<IStateStore>().Should().BeOfType<DaprStateStore>();
            services.GetRequiredService<IEventPublisher>().Should().BeOfType<DaprEventPublisher>();
            services.GetRequiredService<AppChannel>().IsLocal.Should().BeFalse();
        }
        else
        {
            services.GetRequiredService<IStateStore>().Should().BeOfType<PostgresStateStore>();
            services.GetRequiredService<IEventPublisher>().Should().BeOfType<OutboxEventBus>();
            services.GetRequiredService<AppChannel>().IsLocal.Should().BeTrue();
        }
    }

    [Fact]
    public void Forcing_dapr_without_a_sidecar_port_is_a_configuration_error()
    {
        var act = () => Build(port: null, mode: "dapr");

        act.Should().Throw<ConfigurationException>().Which.Problems.Should().Contain(p => p.Contains("DAPR_HTTP_PORT", StringComparison.Ordinal));
    }

    private static WebApplication Build(string? port, string? mode)
    {
        var settings = new Dictionary<string, string?>
        {
            ["POSTGRES_HOST"] = "127.0.0.1",
            ["POSTGRES_USER"] = "u",
            ["POSTGRES_PASSWORD"] = "p",
            ["POSTGRES_DB"] = "d",
        };
        // Unset, not empty: an empty PO_BUILDING_BLOCKS is a configuration error of its own.
        if (port is not null)
        {
            settings["DAPR_HTTP_PORT"] = port;
        }

        if (mode is not null)
        {
            settings["PO_BUILDING_BLOCKS"] = mode;
        }

        return FlameHost.Build(HostTarget.Lifecycle, ["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
    }
}
