using Flame.Po.Integrations;
using Flame.Po.Integrations.Hub;
using Flame.Po.Integrations.Keycloak;
using Flame.Po.ServiceDefaults.Settings;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.IntegrationTests.Integrations;

public sealed class IntegrationsRegistrationTests
{
    [Fact]
    public void Registering_twice_keeps_one_client_each_and_an_empty_configuration_is_valid()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

        builder.AddFlameIntegrations().AddFlameIntegrations();
        using var host = builder.Build();

        builder.Services.Count(d => d.ServiceType == typeof(IAnalysisClients)).Should().Be(1);
        builder.Services.Count(d => d.ServiceType == typeof(IHubClient)).Should().Be(1);
        host.Services.GetRequiredService<IAnalysisClients>().Should().BeOfType<KeycloakAnalysisClients>();
        host.Services.GetRequiredService<IHubClient>().IsConfigured.Should().BeFalse();
        host.Services.Invoking(s => s.ValidateSettings()).Should().NotThrow();
    }
}
