using Flame.Po.Lifecycle.StatusLoop;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Flame.Po.Tests.Lifecycle;

public sealed class StatusLoopHealthCheckTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private readonly StatusLoopHeartbeat _heartbeat;
    private readonly StatusLoopHealthCheck _check;

    public StatusLoopHealthCheckTests()
    {
        _heartbeat = new StatusLoopHeartbeat(_time);
        _check = new StatusLoopHealthCheck(_heartbeat, Options.Create(new StatusLoopSettings { IntervalSeconds = 10 }), _time);
    }

    [Fact]
    public async Task Not_ready_before_the_first_tick()
    {
        var result = await _check.CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("not completed a tick");
    }

    [Theory]
    [InlineData(0, HealthStatus.Healthy)]
    [InlineData(30, HealthStatus.Healthy)]
    [InlineData(31, HealthStatus.Unhealthy)]
    [InlineData(600, HealthStatus.Unhealthy)]
    public async Task Ready_while_the_heartbeat_is_younger_than_three_intervals(int secondsSinceTick, HealthStatus expected)
    {
        _heartbeat.Beat();
        _time.Advance(TimeSpan.FromSeconds(secondsSinceTick));

        var result = await _check.CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(expected);
        if (expected == HealthStatus.Unhealthy)
        {
            result.Description.Should().Contain("stale");
        }
    }

    [Fact]
    public void The_timeout_is_never_shorter_than_thirty_seconds()
    {
        new StatusLoopSettings { IntervalSeconds = 1 }.HeartbeatTimeout.Should().Be(TimeSpan.FromSeconds(30));
        new StatusLoopSettings { IntervalSeconds = 60 }.HeartbeatTimeout.Should().Be(TimeSpan.FromSeconds(180));
    }
}
