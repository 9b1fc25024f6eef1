using Flame.Po.Lifecycle.Commands;

namespace Flame.Po.Tests.Lifecycle;

public sealed class CreatesInFlightTests
{
    [Fact]
    public void A_create_is_in_flight_until_its_scope_ends()
    {
        var creates = new CreatesInFlight();
        creates.Contains("a").Should().BeFalse();
        using (creates.Begin("a"))
        {
            creates.Contains("a").Should().BeTrue();
            creates.Contains("b").Should().BeFalse();
        }

        creates.Contains("a").Should().BeFalse();
    }

    [Fact]
    public void Two_creates_of_one_analysis_keep_it_in_flight_until_both_end_and_a_second_dispose_changes_nothing()
    {
        var creates = new CreatesInFlight();
        var first = creates.Begin("a");
        var second = creates.Begin("a");
        first.Dispose();
        first.Dispose();
        creates.Contains("a").Should().BeTrue("the second create still runs");
        second.Dispose();
        creates.Contains("a").Should().BeFalse();
    }
}
