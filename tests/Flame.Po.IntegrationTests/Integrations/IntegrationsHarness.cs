using Flame.Po.Integrations;
using Flame.Po.Integrations.Hub;
using Flame.Po.Integrations.Keycloak;
using Flame.Sandbox;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flame.Po.IntegrationTests.Integrations;

/// <summary>A sandbox (Keycloak and Hub) plus the integration clients, registered as the PO registers them.</summary>
public sealed class IntegrationsHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private IntegrationsHarness(SandboxServer sandbox, IHost host, CapturedLogs logs)
    {
        Sandbox = sandbox;
        _host = host;
        Logs = logs;
    }

    public SandboxServer Sandbox { get; }

    public CapturedLogs Logs { get; }

    public IAnalysisClients Keycloak => _host.Services.GetRequiredService<IAnalysisClients>();

    public IHubClient Hub => _host.Services.GetRequiredService<IHubClient>();

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Settings pointing at the sandbox; <paramref name="overrides"/> and <paramref name="configure"/> (which sees the
    /// started sandbox) replace or, with null, remove them.
    /// </summary>
    public static async Task<IntegrationsHarness> StartAsync(
        Action<IDictionary<string, string?>>? overrides = null,
        SandboxOptions? sandboxOptions = null,
        TimeProvider? clientTime = null,
        Action<IntegrationResilienceOptions>? resilience = null,
        Action<SandboxServer, IDictionary<string, string?>>? configure = null)
    {
        var sandbox = await SandboxServer.StartAsync(sandboxOptions ?? new SandboxOptions { TimeScale = 0.001 });
        var settings = new Dictionary<string, string?>
        {
            ["KEYCLOAK_URL"] = sandbox.KeycloakBaseUrl,
            ["KEYCLOAK_REALM"] = sandboxOptions?.Realm ?? "flame",
            ["RESULT_CLIENT_ID"] = sandboxOptions?.ManagementClientId ?? "flame-po",
            ["RESULT_CLIENT_SECRET"] = sandboxOptions?.ManagementClientSecret ?? "flame-po-secret",
            ["HUB_URL_CORE"] = sandbox.HubUrl,
            ["HUB_URL_AUTH"] = sandbox.HubAuthUrl,
            ["HUB_CLIENT_ID"] = sandboxOptions?.HubClientId ?? "flame-node-robot",
            ["HUB_CLIENT_SECRET"] = sandboxOptions?.HubClientSecret ?? "flame-node-robot-secret",
        };
        overrides?.Invoke(settings);
        configure?.Invoke(sandbox, settings);

        var logs = new CapturedLogs();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Where(kv => kv.Value is not null));
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        builder.Services.AddSingleton(clientTime ?? TimeProvider.System);
        builder.AddFlameIntegrations();
        builder.Services.Configure<IntegrationResilienceOptions>(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetries = 2;
            o.KeycloakAttemptTimeout = TimeSpan.FromSeconds(5);
            o.HubAttemptTimeout = TimeSpan.FromSeconds(5);
            o.MaxRetryAfter = TimeSpan.FromMilliseconds(50);
            resilience?.Invoke(o);
        });
        var host = builder.Build();
        return new IntegrationsHarness(sandbox, host, logs);
    }

    public static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await Sandbox.DisposeAsync();
    }
}
