using Flame.DaprSim.Bindings;
using Flame.DaprSim.Tests.Support;

namespace Flame.DaprSim.Tests.Bindings;

/// <summary>
/// Cron input bindings (Dapr docs: cron binding; daprd: pkg/runtime/processor/binding/send.go; components-contrib
/// bindings/cron/cron.go): every replica fires; without <c>direction: input</c> the app is asked with OPTIONS first.
/// </summary>
public sealed class CronTests
{
    private static string Cron(string name, string schedule, bool input, string scopes = "") => $$"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: { name: {{name}} }
        spec:
          type: bindings.cron
          version: v1
          metadata:
            - { name: schedule, value: "{{schedule}}" }
        {{(input ? "    - { name: direction, value: input }" : "")}}
        {{scopes}}
        """;

    [Fact]
    public async Task A_cron_binding_fires_on_every_replica_of_the_apps_in_scope()
    {
        await using var one = await TestApp.StartAsync((a, _) => a.MapPost("/status-loop", () => Results.Ok()));
        await using var two = await TestApp.StartAsync((a, _) => a.MapPost("/status-loop", () => Results.Ok()));
        await using var other = await TestApp.StartAsync((a, _) => a.MapPost("/status-loop", () => Results.Ok()));
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Cron("status-loop", "@every 1s", input: true, "scopes: [lifecycle]")),
            Sim.App("lifecycle", one.Port, 0), Sim.App("lifecycle", two.Port, 1), Sim.App("api", other.Port)));

        await Sim.Until(() => sim.CronFireCount("status-loop", "lifecycle", 0) >= 2 && sim.CronFireCount("status-loop", "lifecycle", 1) >= 2, "two ticks on each replica");
        one.Received("/status-loop").Should().HaveCountGreaterThanOrEqualTo(2);
        two.Received("/status-loop").Should().HaveCountGreaterThanOrEqualTo(2);
        var tick = one.Received("/status-loop")[0];
        tick.Header("content-type").Should().Be("application/json");
        tick.Header("readtimeutc").Should().EndWith("+0000 UTC");
        tick.Body.Should().BeEmpty();
        one.Requests.Should().NotContain(r => r.Method == "OPTIONS", "direction: input skips the OPTIONS probe");
        other.Received("/status-loop").Should().BeEmpty("api is out of the component's scopes");
    }

    [Fact]
    public async Task Without_direction_input_the_app_is_asked_and_a_404_means_no_binding()
    {
        await using var wants = await TestApp.StartAsync((a, _) => a.MapMethods("/tick", ["OPTIONS", "POST"], () => Results.Ok()));
        await using var refuses = await TestApp.StartAsync((_, _) => { });
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Cron("tick", "@every 1s", input: false)), Sim.App("a", wants.Port), Sim.App("b", refuses.Port)));

        await Sim.Until(() => sim.CronFireCount("tick", "a") >= 1, "a tick on a");
        wants.Requests.Should().Contain(r => r.Method == "OPTIONS" && r.Path == "/tick");
        await Sim.Until(() => refuses.Requests.Any(r => r.Method == "OPTIONS"), "the OPTIONS probe of b");
        var fired = sim.CronFireCount("tick", "a");
        await Sim.Until(() => sim.CronFireCount("tick", "a") > fired, "a whole schedule period after b's probe");
        sim.CronFireCount("tick", "b").Should().Be(0);
    }

    [Theory]
    [InlineData("@every 10s", 10)]
    [InlineData("@every 1m30s", 90)]
    [InlineData("@every 500ms", 1)]
    [InlineData("*/15 * * * * *", 15)]
    [InlineData("0 * * * *", 3600)]
    [InlineData("@hourly", 3600)]
    public void Schedules_parse_as_the_cron_component_reads_them(string schedule, int secondsBetweenTicks)
    {
        var parsed = CronSchedule.Parse(schedule);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var first = parsed.Next(start);
        (parsed.Next(first) - first).Should().Be(TimeSpan.FromSeconds(secondsBetweenTicks));
    }
}
