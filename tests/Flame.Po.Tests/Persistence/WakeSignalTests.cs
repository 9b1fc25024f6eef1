using Flame.Po.Persistence;

namespace Flame.Po.Tests.Persistence;

public sealed class WakeSignalTests
{
    private static readonly TimeSpan Never = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Many_notifications_before_the_wait_wake_the_loop_once_and_never_throw()
    {
        using var signal = new Signal();
        for (var i = 0; i < 1000; i++)
        {
            signal.Notify();
        }

        (await signal.WaitAsync(Soon, CancellationToken.None)).Should().BeTrue();
        (await signal.WaitAsync(Never, CancellationToken.None)).Should().BeFalse("the notifications before the first wake-up are covered by it");
    }

    [Fact]
    public async Task A_notification_after_a_wake_up_wakes_the_loop_again()
    {
        using var signal = new Signal();
        signal.Notify();
        (await signal.WaitAsync(Soon, CancellationToken.None)).Should().BeTrue();

        signal.Notify();
        (await signal.WaitAsync(Soon, CancellationToken.None)).Should().BeTrue();
    }

    [Fact]
    public async Task A_wait_that_timed_out_leaves_a_later_notification_intact()
    {
        using var signal = new Signal();
        (await signal.WaitAsync(Never, CancellationToken.None)).Should().BeFalse();

        signal.Notify();
        signal.Notify();
        (await signal.WaitAsync(Soon, CancellationToken.None)).Should().BeTrue();
        (await signal.WaitAsync(Never, CancellationToken.None)).Should().BeFalse();
    }

    [Fact]
    public async Task Notifications_racing_a_waiting_loop_never_throw_and_each_burst_is_seen()
    {
        using var signal = new Signal();
        using var stop = new CancellationTokenSource();
        var wakeUps = 0;
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await signal.WaitAsync(Never, CancellationToken.None))
                {
                    Interlocked.Increment(ref wakeUps);
                }
            }
        });

        await Parallel.ForAsync(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, (_, _) =>
        {
            signal.Notify();
            return ValueTask.CompletedTask;
        });

        // The last notification is seen: the loop wakes once more for it (or already has).
        var before = Volatile.Read(ref wakeUps);
        signal.Notify();
        await Flame.Testing.Wait.UntilAsync(() => Volatile.Read(ref wakeUps) > before, Soon, "a wake-up for the last notification");
        await stop.CancelAsync();
        await loop;
        wakeUps.Should().BeGreaterThan(0);
    }

    private sealed class Signal : WakeSignal;
}
