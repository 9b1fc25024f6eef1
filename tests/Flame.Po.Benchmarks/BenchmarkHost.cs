using Flame.Po.Host;
using Flame.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Benchmarks;

/// <summary>
/// The whole host (<c>--target all</c>) in this process on a loopback port, against a Sandbox started here and a
/// fresh PostgreSQL database (<see cref="BenchmarkDatabase"/>): what the in-process scenarios run against.
/// </summary>
public sealed class BenchmarkHost : IAsyncDisposable
{
    private BenchmarkHost(SandboxServer sandbox, BenchmarkDatabase database, WebApplication app, Uri address, IReadOnlyDictionary<string, string?> settings)
    {
        Sandbox = sandbox;
        Database = database;
        App = app;
        Address = address;
        Settings = settings;
    }

    public SandboxServer Sandbox { get; }

    public BenchmarkDatabase Database { get; }

    public WebApplication App { get; }

    public Uri Address { get; }

    /// <summary>Every setting the host got (cluster, Keycloak and database plus the scenario's own).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>What every scenario's host needs to reach the Sandbox: cluster, Keycloak, result client; errors-only logs.</summary>
    public static Dictionary<string, string?> SandboxSettings(SandboxServer sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return new Dictionary<string, string?>
        {
            ["KUBECONFIG"] = sandbox.KubeconfigPath,
            ["PO_NAMESPACE"] = sandbox.Namespace,
            ["ANALYSIS_ACCESS"] = "proxy",
            ["KEYCLOAK_URL"] = sandbox.KeycloakBaseUrl,
            ["RESULT_CLIENT_ID"] = "flame-po",
            ["RESULT_CLIENT_SECRET"] = "flame-po-secret",
            ["LOG_LEVEL"] = "error",
        };
    }

    /// <summary>The database's settings and <see cref="SandboxSettings"/>: what every host of a scenario starts with.</summary>
    public static Dictionary<string, string?> HostSettings(BenchmarkDatabase database, SandboxServer sandbox)
    {
        ArgumentNullException.ThrowIfNull(database);
        var all = new Dictionary<string, string?>(database.Settings);
        foreach (var (key, value) in SandboxSettings(sandbox))
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>Starts Sandbox, database and host, and waits until the schema is migrated.</summary>
    /// <param name="settings">Host settings on top of <see cref="SandboxSettings"/> and the database's.</param>
    public static async Task<BenchmarkHost> StartAsync(string repositoryRoot, IReadOnlyDictionary<string, string?> settings, SandboxOptions? sandboxOptions = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var sandbox = await SandboxServer.StartAsync(sandboxOptions ?? new SandboxOptions { TimeScale = 1 });
        BenchmarkDatabase? database = null;
        try
        {
            database = await BenchmarkDatabase.CreateAsync(repositoryRoot);
            var all = HostSettings(database, sandbox);
            foreach (var (key, value) in settings)
            {
                all[key] = value;
            }

            var app = FlameHost.Build(HostTarget.All, ["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(all));
            await app.StartAsync();
            var schema = app.Services.GetRequiredService<Persistence.DatabaseStatus>();
            while (!schema.Migrated)
            {
                await Task.Delay(50);
            }

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new BenchmarkHost(sandbox, database, app, new Uri(address), all);
        }
        catch
        {
            if (database is not null)
            {
                await database.DisposeAsync();
            }

            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of the host's HTTP API allowing <paramref name="connections"/> requests at once.</summary>
    public HttpClient CreateClient(int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Database.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
