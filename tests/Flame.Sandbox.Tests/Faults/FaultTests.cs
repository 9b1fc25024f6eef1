using System.Text.Json.Nodes;

using Flame.Sandbox.Faults;
using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Faults;

public sealed class FaultTests
{
    [Fact]
    public async Task Injected_errors_are_apiserver_statuses_and_429_carries_retry_after()
    {
        await using var h = await SandboxHarness.StartAsync();
        h.Server.Faults.Add(new FaultRule { Route = "k8s:list:pods", StatusCode = 500 });
        var (code, body) = await h.GetAsync(h.Pods);
        code.Should().Be(500);
        body.S("reason").Should().Be("InternalError");
        (await h.GetAsync(h.ConfigMaps)).Code.Should().Be(200);

        h.Server.Faults.Clear();
        h.Server.Faults.Add(new FaultRule { Route = "k8s:*", StatusCode = 429, RetryAfterSeconds = 2 });
        using var response = await h.Http.GetAsync(h.Pods);
        ((int)response.StatusCode).Should().Be(429);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(2));
        JsonNode.Parse(await response.Content.ReadAsStringAsync()).S("details", "retryAfterSeconds").Should().Be("2");
    }

    [Fact]
    public async Task Same_seed_gives_the_same_failures()
    {
        static async Task<List<int>> RunAsync()
        {
            await using var h = await SandboxHarness.StartAsync(new SandboxOptions { TimeScale = 0.001, Seed = 7 });
            h.Server.Faults.Add(new FaultRule { Route = "k8s:get:configmaps", StatusCode = 503, Rate = 0.5 });
            var codes = new List<int>();
            for (var i = 0; i < 30; i++)
            {
                codes.Add((await h.GetAsync($"{h.ConfigMaps}/x")).Code);
            }

            return codes;
        }

        var first = await RunAsync();
        var second = await RunAsync();
        first.Should().Equal(second);
        first.Should().Contain(503).And.Contain(404);
    }

    [Fact]
    public async Task Outage_windows_end_and_counters_count_by_verb_and_route()
    {
        await using var h = await SandboxHarness.StartAsync();
        h.Server.Faults.Outage("hub:*", TimeSpan.FromMilliseconds(300));
        using var hub = new HttpClient();
        ((int)(await hub.GetAsync($"{h.Server.HubUrl}/nodes")).StatusCode).Should().Be(503);
        await Task.Delay(400);
        ((int)(await hub.GetAsync($"{h.Server.HubUrl}/nodes")).StatusCode).Should().Be(401);

        h.Server.Counters.Reset();
        await h.GetAsync(h.Pods);
        await h.GetAsync(h.Pods);
        await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c"));
        await h.GetAsync($"/api/v1/namespaces/{h.Ns}/services/nginx-x:80/proxy/healthz");
        h.Server.Counters.Get("k8s:list:pods").Should().Be(2);
        h.Server.Counters.Get("k8s:create:configmaps").Should().Be(1);
        h.Server.Counters.Get("k8s:proxy:services").Should().Be(1);
        h.Server.Counters.Sum("k8s:*").Should().Be(4);

        var overHttp = JsonNode.Parse(await h.Anonymous.GetStringAsync("/_sim/counters"));
        overHttp.S("k8s:list:pods").Should().Be("2");
        JsonNode.Parse(await h.Anonymous.GetStringAsync("/_sim/objects"))!["configmaps"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Dropped_watch_ends_the_stream_after_the_given_events_and_faults_can_be_set_over_http()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1"));
        await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c2"));
        using var rule = new StringContent("""{"route":"k8s:watch:configmaps","dropWatchAfterEvents":1}""", System.Text.Encoding.UTF8, "application/json");
        ((int)(await h.Anonymous.PostAsync("/_sim/faults", rule)).StatusCode).Should().Be(201);
        await using var watch = await WatchReader.OpenAsync(h.Http, $"{h.ConfigMaps}?watch=true");
        (await watch.NextAsync()).S("type").Should().Be("ADDED");
        (await watch.NextAsync()).Should().BeNull("the server ends the stream after one event");
    }
}
