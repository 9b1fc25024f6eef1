using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flame.Po.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// Registers the shared <see cref="NpgsqlDataSource"/> (from <see cref="PostgresSettings"/>, which the caller
    /// binds and validates), the migration runner and the background migration service.
    /// </summary>
    public static IServiceCollection AddFlamePostgres(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<PostgresSettings>>().Value;
            var builder = new NpgsqlDataSourceBuilder(settings.ToConnectionString());
            builder.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return builder.Build();
        });
        services.AddSingleton<DatabaseStatus>();
        services.AddSingleton<MigrationRunner>();
        services.AddHostedService<DatabaseMigrationService>();
        return services;
    }
}
