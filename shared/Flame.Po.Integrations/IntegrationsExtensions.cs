using Flame.Po.Integrations.Hub;
using Flame.Po.Integrations.Keycloak;
using Flame.Po.ServiceDefaults.Settings;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.Integrations;

public static class IntegrationsExtensions
{
    /// <summary>
    /// Registers the Keycloak and Hub settings and both clients. The clients are singletons over named
    /// <see cref="HttpClient"/>s because they hold caches (tokens, node id) and the Hub circuit breaker, which a
    /// transient typed client would lose on every resolution.
    /// </summary>
    public static IHostApplicationBuilder AddFlameIntegrations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // Each service of an all-in-one process calls this; the named clients must be configured only once.
        if (services.Any(d => d.ServiceType == typeof(IAnalysisClients)))
        {
            return builder;
        }

        services.AddSettings<KeycloakSettings>(builder.Configuration);
        services.AddSettings<HubSettings>(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<IntegrationResilienceOptions>();

        // Timeouts come from the Polly pipelines, per attempt; the HttpClient's own 100 s default would only mask them.
        services.AddHttpClient(KeycloakAnalysisClients.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<IAnalysisClients, KeycloakAnalysisClients>();

        services.TryAddSingleton<HubHandlerFactory>();
        services.AddHttpClient(HubClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => provider.GetRequiredService<HubHandlerFactory>().Create());
        services.TryAddSingleton<IHubClient, HubClient>();
        return builder;
    }
}
