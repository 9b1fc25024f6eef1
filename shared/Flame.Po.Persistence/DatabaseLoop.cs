using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flame.Po.Persistence;

/// <summary>
/// The skeleton of a background loop that works on the database (Hub delivery, log and archive retention): runs
/// <see cref="RunPassAsync"/> — one pass and its own wait for the next — until the host stops. A database that
/// cannot be reached is logged and tried again after <see cref="RetryDelay"/>; it never ends the loop.
/// </summary>
public abstract class DatabaseLoop(ILogger logger) : BackgroundService
{
    /// <summary>What the loop does, for its log line ("Log retention").</summary>
    protected abstract string Name { get; }

    /// <summary>The pause before the next pass after the database could not be reached.</summary>
    protected abstract TimeSpan RetryDelay { get; }

    /// <summary>One pass, including its wait for the next one.</summary>
    protected abstract Task RunPassAsync(CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunPassAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("{Loop} could not reach the database; retrying: {Error}", Name, error.Message);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }
}
