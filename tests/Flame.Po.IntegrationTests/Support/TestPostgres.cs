using Flame.Po.Persistence;
using Npgsql;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>
/// The PostgreSQL server started by ./test.sh (POSTGRES_* in the environment). Each test class gets its own
/// fresh database, dropped afterwards, so tests never see each other's rows.
/// </summary>
public static class TestPostgres
{
    public static PostgresSettings ServerSettings()
    {
        var host = Environment.GetEnvironmentVariable("POSTGRES_HOST");
        if (string.IsNullOrEmpty(host))
        {
            throw new InvalidOperationException(
                "Integration tests need PostgreSQL: run ./test.sh (it starts a throw-away server) or set POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB.");
        }

        return new PostgresSettings
        {
            Host = host,
            Port = int.Parse(Environment.GetEnvironmentVariable("POSTGRES_PORT") ?? "5432", System.Globalization.CultureInfo.InvariantCulture),
            User = Environment.GetEnvironmentVariable("POSTGRES_USER"),
            Password = Environment.GetEnvironmentVariable("POSTGRES_PASSWORD"),
            Database = Environment.GetEnvironmentVariable("POSTGRES_DB") ?? "postgres",
        };
    }

    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        var server = ServerSettings();
        var name = "po_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(server.ToConnectionString()))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var settings = new PostgresSettings { Host = server.Host, Port = server.Port, User = server.User, Password = server.Password, Database = name };
        return new TestDatabase(server, settings);
    }
}

public sealed class TestDatabase(PostgresSettings server, PostgresSettings settings) : IAsyncDisposable
{
    private NpgsqlDataSource? _dataSource;

    public PostgresSettings Settings => settings;

    public NpgsqlDataSource DataSource => _dataSource ??= NpgsqlDataSource.Create(settings.ToConnectionString());

    public Dictionary<string, string?> EnvironmentValues() => new()
    {
        ["POSTGRES_HOST"] = settings.Host,
        ["POSTGRES_PORT"] = settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["POSTGRES_USER"] = settings.User,
        ["POSTGRES_PASSWORD"] = settings.Password,
        ["POSTGRES_DB"] = settings.Database,
    };

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(server.ToConnectionString());
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {settings.Database} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}
