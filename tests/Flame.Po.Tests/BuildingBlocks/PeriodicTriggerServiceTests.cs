using Flame.Po.Dapr;
using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.Triggers;
using Flame.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flame.Po.Tests.BuildingBlocks;

public sealed class PeriodicTriggerServiceTests
{
    private sealed class Counter
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public int Next() => Interlocked.Increment(ref _runs);
    }

    /// <summary>Fails on every second run: the schedule must carry on regardless.</summary>
    private sealed class FlakyJob(Counter counter) : IPeriodicJob
    {
        public Task RunAsync(CancellationToken cancellationToken) =>
            counter.Next() % 2 == 0 ? throw new InvalidOperationException("dependency down") : Task.CompletedTask;
    }

    [Fact]
    public async Task Runs_at_start_and_every_interval_and_survives_failing_runs()
    {
        var services = new ServiceCollection();
        var counter = new Counter();
        services.AddSingleton(counter);
        services.AddPeriodicJob<FlakyJob>("status-loop", _ => TimeSpan.FromMilliseconds(20));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<PeriodicTriggerService>();
        await using var provider = services.BuildServiceProvider();
        var trigger = provider.GetRequiredService<PeriodicTriggerService>();

        await trigger.StartAsync(CancellationToken.None);
        await Wait.UntilAsync(() => counter.Runs >= 5, TimeSpan.FromSeconds(10), poll: TimeSpan.FromMilliseconds(10));

        await trigger.StopAsync(CancellationToken.None);
        var afterStop = counter.Runs;
        await Task.Delay(100);

        afterStop.Should().BeGreaterThanOrEqualTo(5);
        counter.Runs.Should().Be(afterStop, "no run starts after the host stopped");
    }
}
