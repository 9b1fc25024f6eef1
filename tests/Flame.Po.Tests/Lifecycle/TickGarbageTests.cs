using Flame.Po.Lifecycle.StatusLoop;

namespace Flame.Po.Tests.Lifecycle;

public sealed class TickGarbageTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(TickGarbage.CollectFromAnalyses - 1, false)]
    [InlineData(TickGarbage.CollectFromAnalyses, true)]
    [InlineData(1000, true)]
    [InlineData(int.MaxValue, true)]
    public void Only_a_tick_over_many_analyses_is_followed_by_a_collection(int activeAnalyses, bool collect) =>
        TickGarbage.ShouldCollect(activeAnalyses).Should().Be(collect);

    [Fact]
    public void A_small_tick_takes_no_time_for_a_collection() =>
        TickGarbage.CollectAfter(TickGarbage.CollectFromAnalyses - 1).Should().Be(TimeSpan.Zero);

    [Fact]
    public void A_large_tick_is_followed_by_a_full_collection()
    {
        var before = GC.CollectionCount(GC.MaxGeneration);

        var took = TickGarbage.CollectAfter(TickGarbage.CollectFromAnalyses);

        GC.CollectionCount(GC.MaxGeneration).Should().BeGreaterThan(before);
        took.Should().BePositive();
    }
}
