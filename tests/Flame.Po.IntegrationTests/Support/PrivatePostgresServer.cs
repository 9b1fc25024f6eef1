using System.Diagnostics;
using Flame.Po.Persistence;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>
/// A PostgreSQL server of the test's own, which the test may stop and start (readiness tests). It uses the
/// same script as run.sh and test.sh, so the tests also prove that script.
/// </summary>
public sealed class PrivatePostgresServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _password = "private-" + Guid.NewGuid().ToString("N")[..16];

    private PrivatePostgresServer(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public PostgresSettings Settings => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        User = "postgres",
        Password = _password,
        Database = "postgres",
        ConnectTimeoutSeconds = 2,
    };

    public static async Task<PrivatePostgresServer> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "flame-po-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var server = new PrivatePostgresServer(dir, FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    public Task StartAgainAsync() => RunScriptAsync($"pg_start '{_dir}' {Port} '{_password}'");

    public Task StopAsync() => RunScriptAsync($"pg_stop '{_dir}'");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task RunScriptAsync(string command)
    {
        var script = Path.Combine(RepositoryRoot.Path, "scripts", "postgres.sh");
        var start = new ProcessStartInfo("bash", ["-c", $". '{script}' && {command}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command.Split(' ')[0]}' failed ({process.ExitCode}): {await error}");
        }
    }
}
