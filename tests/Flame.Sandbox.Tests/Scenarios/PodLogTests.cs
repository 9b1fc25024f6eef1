using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Scenarios;

public sealed class PodLogTests
{
    private static async Task<(int Code, string Text)> LogAsync(SandboxHarness h, string pod, string query = "")
    {
        using var response = await h.Http.GetAsync($"{h.Pods}/{pod}/log{query}");
        response.Content.Headers.ContentType?.MediaType.Should().Be(response.IsSuccessStatusCode ? "text/plain" : "application/json");
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logs_of_pending_pods_are_400_with_the_apiserver_wording()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Pods, SandboxHarness.Pod("unsched", "sim/unschedulable"));
        await h.PostAsync(h.Pods, SandboxHarness.Pod("pull", "sim/pull-error"));
        await h.WaitForPodAsync("app=unsched", p => p["status"]?["conditions"] is not null);
        var (code, text) = await LogAsync(h, "unsched");
        code.Should().Be(400);
        text.Should().Contain("pod unsched does not have a host assigned");

        await h.WaitForPodAsync("app=pull", p => SandboxHarness.ContainerState(p, "waiting", "reason") == "ErrImagePull");
        var (pullCode, pullText) = await LogAsync(h, "pull");
        pullCode.Should().Be(400);
        pullText.Should().Contain("container \\\"main\\\" in pod \\\"pull\\\" is waiting to start");
        (await LogAsync(h, "missing")).Code.Should().Be(404);
        (await LogAsync(h, "pull", "?container=other")).Code.Should().Be(400);
    }

    [Fact]
    public async Task Logs_support_tail_lines_timestamps_and_previous()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.Pods, SandboxHarness.Pod("p1", "sim/ok?runtime=1s&progress=4"));
        await h.WaitForPodAsync("app=p1", p => p.S("status", "phase") == "Succeeded");
        var (code, text) = await LogAsync(h, "p1");
        code.Should().Be(200);
        text.Should().StartWith("INFO: starting analysis").And.Contain("INFO: analysis finished");
        (await LogAsync(h, "p1", "?tailLines=1")).Text.Should().Be("INFO: analysis finished\n");
        (await LogAsync(h, "p1", "?tailLines=1&timestamps=true")).Text.Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z INFO: analysis finished\n$");
        (await LogAsync(h, "p1", "?limitBytes=4")).Text.Should().Be("INFO");
        (await LogAsync(h, "p1", "?previous=true")).Text.Should().Contain("previous terminated container \\\"main\\\" in pod \\\"p1\\\" not found");

        await h.PostAsync(h.Deployments, SandboxHarness.Deployment("crash", "sim/crashloop"));
        var pod = await h.WaitForPodAsync("app=crash", p => p["status"]!["containerStatuses"]?[0]?["restartCount"]?.GetValue<int>() >= 1);
        (await LogAsync(h, pod.S("metadata", "name")!, "?previous=true")).Text.Should().Contain("RuntimeError: simulated crash");
    }

    [Fact]
    public async Task Follow_streams_until_the_container_terminates()
    {
        await using var h = await SandboxHarness.StartAsync(new SandboxOptions { TimeScale = 0.01 });
        await h.PostAsync(h.Pods, SandboxHarness.Pod("p1", "sim/ok?runtime=2s&progress=4"));
        await h.WaitForPodAsync("app=p1", p => p.S("status", "phase") == "Running");
        await DeletionTests_Wait(h);
        var (code, text) = await LogAsync(h, "p1", "?follow=true");
        code.Should().Be(200);
        text.Should().Contain("step 1/4 done").And.EndWith("INFO: analysis finished\n");
    }

    private static Task DeletionTests_Wait(SandboxHarness h) =>
        DeletionTestsAccess.WaitUntilAsync(() => LogAsync(h, "p1").GetAwaiter().GetResult().Code == 200);
}
