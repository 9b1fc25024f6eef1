using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Flame.Po.Persistence;

/// <summary>PostgreSQL connection settings, bound from the old service's environment variables (docs/compatibility.md#configuration).</summary>
public sealed class PostgresSettings : IValidatedSettings
{
    [ConfigurationKeyName("POSTGRES_HOST")]
    public string? Host { get; set; }

    /// <summary>Configurable, unlike the service we replace, which hard-coded 5432 (docs/compatibility.md#b28).</summary>
    [ConfigurationKeyName("POSTGRES_PORT")]
    public int Port { get; set; } = 5432;

    [ConfigurationKeyName("POSTGRES_USER")]
    public string? User { get; set; }

    [ConfigurationKeyName("POSTGRES_PASSWORD")]
    public string? Password { get; set; }

    [ConfigurationKeyName("POSTGRES_DB")]
    public string? Database { get; set; }

    /// <summary>Seconds to wait for a connection before a call fails (keeps readiness probes fast).</summary>
    [ConfigurationKeyName("POSTGRES_CONNECT_TIMEOUT")]
    public int ConnectTimeoutSeconds { get; set; } = 5;

    [ConfigurationKeyName("POSTGRES_MAX_POOL_SIZE")]
    public int MaxPoolSize { get; set; } = 50;

    public IEnumerable<string> Validate() =>
        SettingRules.Required(Host, "POSTGRES_HOST", "PostgreSQL host name")
            .Concat(SettingRules.Port(Port, "POSTGRES_PORT"))
            .Concat(SettingRules.Required(User, "POSTGRES_USER", "PostgreSQL user"))
            .Concat(SettingRules.Required(Password, "POSTGRES_PASSWORD", "PostgreSQL password"))
            .Concat(SettingRules.Required(Database, "POSTGRES_DB", "PostgreSQL database name"))
            .Concat(SettingRules.Positive(ConnectTimeoutSeconds, "POSTGRES_CONNECT_TIMEOUT", "seconds"))
            .Concat(SettingRules.Positive(MaxPoolSize, "POSTGRES_MAX_POOL_SIZE", "connections"));

    public string ToConnectionString() => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = User,
        Password = Password,
        Database = Database,
        Timeout = ConnectTimeoutSeconds,
        CommandTimeout = 30,
        MaxPoolSize = MaxPoolSize,
        ApplicationName = "flame-po",
        // The PO never uses ambient transactions (TransactionScope): no lookup of one at each open.
        Enlist = false,
        // A connection that was open when PostgreSQL went away must not poison the pool after it returns.
        ConnectionLifetime = 300,
        // Every statement the PO sends is a fixed text run over and over (one per streamed line, per record
        // write): preparing them once per connection saves PostgreSQL the parse and plan of each execution.
        MaxAutoPrepare = 64,
        AutoPrepareMinUsages = 2,
        // No reset statement (SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL) ahead of the first command of
        // every pooled use: the PO sets no session state (transaction-scoped only; the migration's advisory lock and
        // the event listener's LISTEN are ended before their connection goes back); for a streamed line the reset
        // was a third of PostgreSQL's work.
        NoResetOnClose = true,
    }.ConnectionString;
}
