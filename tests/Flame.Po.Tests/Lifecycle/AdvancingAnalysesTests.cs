using Flame.Po.Lifecycle.Reconciler;
using Microsoft.Extensions.Time.Testing;

namespace Flame.Po.Tests.Lifecycle;

/// <summary>
/// One advancer per analysis in a process: a second one is refused while the first runs, and the tick sees whether an
/// analysis was advanced after it listed the records.
/// </summary>
public sealed class AdvancingAnalysesTests
{
    private static readonly DateTimeOffset Listed = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Listed);

    [Fact]
    public void An_analysis_is_advanced_by_one_advancer_at_a_time()
    {
        var advancing = new AdvancingAnalyses(_time);

        var first = advancing.TryBegin("a");
        first.Should().NotBeNull();
        advancing.TryBegin("a").Should().BeNull("the first advancer still runs");
        advancing.TryBegin("b").Should().NotBeNull("another analysis is independent");

        first!.Dispose();
        first.Dispose();
        using var again = advancing.TryBegin("a");
        again.Should().NotBeNull("the first one ended");
    }

    [Fact]
    public void The_tick_sees_an_analysis_advanced_now_or_after_its_listing_but_not_before()
    {
        var time = new FakeTimeProvider(Listed.AddSeconds(-1));
        var advancing = new AdvancingAnalyses(time);
        advancing.TryBegin("before")!.Dispose();

        time.SetUtcNow(Listed);
        var running = advancing.TryBegin("running");
        using (advancing.TryBegin("after"))
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
        }

        advancing.AdvancedSince("before", Listed).Should().BeFalse("its follow-up ended before the records were listed");
        advancing.AdvancedSince("running", Listed).Should().BeTrue();
        advancing.AdvancedSince("after", Listed).Should().BeTrue("the listed record is older than what the follow-up wrote");
        advancing.AdvancedSince("never", Listed).Should().BeFalse();
        running!.Dispose();
        advancing.AdvancedSince("running", Listed).Should().BeTrue();
    }

    [Fact]
    public void Each_tick_forgets_what_ended_before_it_and_keeps_what_still_runs()
    {
        var advancing = new AdvancingAnalyses(_time);
        advancing.TryBegin("ended")!.Dispose();
        var running = advancing.TryBegin("running");

        _time.Advance(TimeSpan.FromSeconds(10));
        advancing.ForgetBefore(_time.GetUtcNow());

        advancing.Count.Should().Be(1);
        advancing.TryBegin("running").Should().BeNull();
        running!.Dispose();
    }
}
