using Flame.Po.Dapr.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// Runs every registered job once at start and then on each tick of its interval. A run never overlaps the
/// previous run of the same job in this process, and a failing run is logged and does not stop the schedule.
/// </summary>
public sealed class PeriodicTriggerService(
    IEnumerable<PeriodicJobRegistration> jobs, IServiceProvider services, TimeProvider time, ILogger<PeriodicTriggerService> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(jobs.Select(job => RunScheduleAsync(job, stoppingToken)));

    private async Task RunScheduleAsync(PeriodicJobRegistration job, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(job.Interval(services), time);
        do
        {
            await RunOnceAsync(job, stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private async Task RunOnceAsync(PeriodicJobRegistration job, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            await ((IPeriodicJob)scope.ServiceProvider.GetRequiredService(job.JobType)).RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Periodic job {job} failed; it runs again at the next tick", job.Name);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
