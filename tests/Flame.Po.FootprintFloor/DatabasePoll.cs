using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Flame.Po.FootprintFloor;

/// <summary>A query every 5 s, as an idle PO's database loops do.</summary>
public sealed class DatabasePoll(NpgsqlDataSource database) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await using (var command = database.CreateCommand("select count(*) from pg_class"))
            {
                await command.ExecuteScalarAsync(stoppingToken);
            }

            await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
        }
    }
}
