using Flame.Sandbox;

namespace Flame.Po.Benchmarks;

/// <summary>
/// The host as its own process (<see cref="HostProcess"/>, the image's runtime settings) against a Sandbox in this
/// process and a fresh database, ready to serve: what the <c>--host-process</c> scenarios measure.
/// </summary>
public sealed class SeparateHost : IAsyncDisposable
{
    private readonly BenchmarkDatabase _database;

    private SeparateHost(SandboxServer sandbox, BenchmarkDatabase database, HostProcess process)
    {
        Sandbox = sandbox;
        _database = database;
        Process = process;
    }

    public SandboxServer Sandbox { get; }

    public HostProcess Process { get; }

    public static async Task<SeparateHost> StartAsync(string repositoryRoot)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { TimeScale = 1 });
        BenchmarkDatabase? database = null;
        HostProcess? process = null;
        try
        {
            database = await BenchmarkDatabase.CreateAsync(repositoryRoot);
            process = HostProcess.Start(BenchmarkHost.HostSettings(database, sandbox));
            await process.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            return new SeparateHost(sandbox, database, process);
        }
        catch
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }

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
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = Process.Address, Timeout = TimeSpan.FromMinutes(2) };

    public async ValueTask DisposeAsync()
    {
        await Process.StopAsync();
        await Process.DisposeAsync();
        await _database.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
