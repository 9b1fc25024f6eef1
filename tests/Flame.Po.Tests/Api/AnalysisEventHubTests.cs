using Flame.Po.Api.Contracts;
using Flame.Po.Api.Events;
using Flame.Po.Api.Settings;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flame.Po.Tests.Api;

/// <summary>The fan-out behind <c>GET /po/events</c>: bounded per client, never blocking, redeliveries once.</summary>
public sealed class AnalysisEventHubTests
{
    private static AnalysisEventHub Hub(int buffer = 4, int maxClients = 10) =>
        new(Options.Create(new EventStreamSettings { ClientBuffer = buffer, MaxClients = maxClients }), NullLogger<AnalysisEventHub>.Instance);

    private static AnalysisEventMessage Message(int sequence) =>
        new($"a:{sequence}", "a", sequence, "analysis-a-1", null, "executing", null, 1, 0, DateTimeOffset.UnixEpoch, false);

    [Fact]
    public async Task Every_stream_gets_every_event_in_order()
    {
        var hub = Hub();
        using var one = hub.TrySubscribe(() => { })!;
        using var two = hub.TrySubscribe(() => { })!;

        hub.Publish(Message(1)).Should().BeTrue();
        hub.Publish(Message(2)).Should().BeTrue();

        (await one.Reader.ReadAsync()).EventId.Should().Be("a:1");
        (await one.Reader.ReadAsync()).EventId.Should().Be("a:2");
        (await two.Reader.ReadAsync()).EventId.Should().Be("a:1");
    }

    [Fact]
    public void A_slow_stream_is_dropped_without_blocking_the_publisher_or_the_others()
    {
        var hub = Hub(buffer: 3);
        var dropped = 0;
        using var slow = hub.TrySubscribe(() => dropped++)!;
        using var fast = hub.TrySubscribe(() => throw new InvalidOperationException("the fast stream must not be dropped"))!;

        for (var i = 1; i <= 10; i++)
        {
            hub.Publish(Message(i));
            fast.Reader.TryRead(out _).Should().BeTrue();
        }

        dropped.Should().Be(1, "the drop callback (which aborts the connection) runs once");
        slow.IsDropped.Should().BeTrue();
        hub.Count.Should().Be(1);
        var buffered = 0;
        while (slow.Reader.TryRead(out _))
        {
            buffered++;
        }

        buffered.Should().Be(3, "what was buffered before the drop is still delivered, then the stream ends");
        slow.Reader.Completion.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void A_redelivered_event_is_sent_once()
    {
        var hub = Hub();
        using var stream = hub.TrySubscribe(() => { })!;

        hub.Publish(Message(1)).Should().BeTrue();
        hub.Publish(Message(1)).Should().BeFalse();

        stream.Reader.TryRead(out _).Should().BeTrue();
        stream.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public void Streams_beyond_the_limit_are_refused_and_closed_ones_free_their_place()
    {
        var hub = Hub(maxClients: 2);
        var one = hub.TrySubscribe(() => { })!;
        using var two = hub.TrySubscribe(() => { })!;

        hub.TrySubscribe(() => { }).Should().BeNull();
        one.Dispose();
        using var three = hub.TrySubscribe(() => { });

        three.Should().NotBeNull();
        hub.Count.Should().Be(2);
    }
}
