using Flame.DaprSim.Inspection;
using Flame.DaprSim.Tests.Support;

namespace Flame.DaprSim.Tests.PubSub;

/// <summary>
/// What a subscriber's reply means, row by row (Dapr docs: publish-subscribe "App reply / Dapr action"; daprd:
/// pkg/runtime/subscription/postman/http/http.go): acknowledged replies are not redelivered, RETRY-like ones are, drops are not.
/// </summary>
public sealed class SubscriberReplyTests
{
    [Theory]
    [InlineData(200, "", DeliveryOutcome.Success)]
    [InlineData(204, "", DeliveryOutcome.Success)]
    [InlineData(200, "ok, not json", DeliveryOutcome.Success)]
    [InlineData(200, """{"message":"no status"}""", DeliveryOutcome.Success)]
    [InlineData(200, """["an","array"]""", DeliveryOutcome.Success)]
    [InlineData(200, """{"status":"SUCCESS"}""", DeliveryOutcome.Success)]
    [InlineData(200, """{"status":"RETRY"}""", DeliveryOutcome.Retry)]
    [InlineData(200, """{"status":"success"}""", DeliveryOutcome.Retry)]
    [InlineData(200, """{"status":"DROP"}""", DeliveryOutcome.Drop)]
    [InlineData(404, "", DeliveryOutcome.Drop)]
    [InlineData(500, "", DeliveryOutcome.Retry)]
    [InlineData(503, """{"status":"SUCCESS"}""", DeliveryOutcome.Retry)]
    [InlineData(400, "", DeliveryOutcome.Retry)]
    public async Task A_reply_is_classified_and_only_retries_are_redelivered(int status, string body, DeliveryOutcome expected)
    {
        var calls = 0;
        await using var subscriber = await TestApp.StartAsync(TestApp.Subscribing("""[{"pubsubname":"pubsub","topic":"t","route":"/t"}]""", (app, _) =>
            app.MapPost("/t", () => Interlocked.Increment(ref calls) == 1 ? Results.Text(body, "application/json", statusCode: status) : Results.Ok())));
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.PubSub()), Sim.App("logging", subscriber.Port)));
        await Sim.ReadyAsync(sim.Sidecar("logging"));
        using var client = Sim.Client(sim.Sidecar("logging"));

        await client.PublishEventAsync("pubsub", "t", new { n = 1 });

        await Sim.Until(() => sim.Deliveries.Count >= 1, "first delivery");
        sim.Deliveries[0].Outcome.Should().Be(expected);
        sim.Deliveries[0].StatusCode.Should().Be(status);
        if (expected == DeliveryOutcome.Retry)
        {
            await Sim.Until(() => sim.Deliveries.Any(d => d.Attempt == 2 && d.Outcome == DeliveryOutcome.Success), "redelivery");
        }
        else
        {
            await Task.Delay(400);
            sim.Deliveries.Should().ContainSingle("an acknowledged or dropped message is not redelivered");
        }
    }
}
