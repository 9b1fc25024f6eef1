using System.Diagnostics;
using Npgsql;

namespace Flame.Po.Benchmarks;

/// <summary>
/// A fresh PostgreSQL database for one run: on the server named by POSTGRES_* when set (dropped again at the end,
/// so runs do not pile up databases on a shared server), else on a private server started with scripts/postgres.sh
/// (the same script the tests use), removed at the end.
/// </summary>
public sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private readonly string _server;

    private BenchmarkDatabase(Dictionary<string, string?> settings, string? dataDirectory, string server)
    {
        Settings = settings;
        _dataDirectory = dataDirectory;
        _server = server;
    }

    public Dictionary<string, string?> Settings { get; }

    public static async Task<BenchmarkDatabase> CreateAsync(string repositoryRoot)
    {
        string? dataDirectory = null;
        var host = Environment.GetEnvironmentVariable("POSTGRES_HOST");
        var port = Environment.GetEnvironmentVariable("POSTGRES_PORT") ?? "5432";
        var user = Environment.GetEnvironmentVariable("POSTGRES_USER") ?? "postgres";
        var password = Environment.GetEnvironmentVariable("POSTGRES_PASSWORD");
        if (string.IsNullOrEmpty(host))
        {
            dataDirectory = Path.Combine(Path.GetTempPath(), "flame-bench-pg-" + Guid.NewGuid().ToString("N")[..8]);
            password = Guid.NewGuid().ToString("N");
            port = (await Bash(repositoryRoot, "source scripts/postgres.sh && free_port")).Trim();
            await Bash(repositoryRoot, $"source scripts/postgres.sh && ensure_postgres_installed && pg_start '{dataDirectory}' {port} '{password}'");
            host = "127.0.0.1";
        }

        var server = new NpgsqlConnectionStringBuilder { Host = host, Port = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), Username = user, Password = password, Database = "postgres" };
        var name = "po_bench_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = NpgsqlDataSource.Create(server.ConnectionString))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        return new BenchmarkDatabase(
            new Dictionary<string, string?>
            {
                ["POSTGRES_HOST"] = host,
                ["POSTGRES_PORT"] = port,
                ["POSTGRES_USER"] = user,
                ["POSTGRES_PASSWORD"] = password,
                ["POSTGRES_DB"] = name,
            },
            dataDirectory,
            server.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null)
        {
            await using var admin = NpgsqlDataSource.Create(_server);
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {Settings["POSTGRES_DB"]} WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            await Bash(Directory.GetCurrentDirectory(), $"source '{RepositoryRootFinder.Find()}/scripts/postgres.sh' && pg_stop '{_dataDirectory}'; rm -rf '{_dataDirectory}'");
        }
    }

    private static async Task<string> Bash(string workingDirectory, string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script]) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{script}' failed ({process.ExitCode}): {error}");
        }

        return output;
    }
}

public static class RepositoryRootFinder
{
    public static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Flame.Dapr.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run the benchmarks from inside the repository.");
    }
}
