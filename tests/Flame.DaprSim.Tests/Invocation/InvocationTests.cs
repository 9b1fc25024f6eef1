using System.Net;
using System.Text.Json.Nodes;

using Flame.DaprSim.Tests.Support;

namespace Flame.DaprSim.Tests.Invocation;

/// <summary>
/// Service invocation (Dapr docs: service-invocation; daprd: pkg/api/http/directmessaging.go, pkg/channel/http/http_channel.go):
/// verb, path, query, headers and body reach the target app; its status, headers and body come back; the caller's API token
/// stays behind and the target's app token is added.
/// </summary>
public sealed class InvocationTests
{
    private static Action<WebApplication, TestApp> Echo => (app, _) => app.Map("/{**path}", async (HttpContext context) =>
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        context.Response.StatusCode = context.Request.Query.ContainsKey("status") ? int.Parse(context.Request.Query["status"]!, System.Globalization.CultureInfo.InvariantCulture) : 201;
        context.Response.Headers["x-echo"] = context.Request.Headers["x-custom"].ToString();
        context.Response.ContentType = "text/x-echo";
        await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {body}");
    });

    [Fact]
    public async Task A_call_passes_through_to_the_target_app_with_its_app_token_and_without_the_callers_api_token()
    {
        await using var caller = await TestApp.StartAsync((_, _) => { });
        await using var target = await TestApp.StartAsync(Echo);
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(),
            Sim.App("api", caller.Port, apiToken: "api-secret"), Sim.App("lifecycle", target.Port, appToken: "lifecycle-app-token")));
        await Sim.ReadyAsync(sim.Sidecar("lifecycle"));
        using var http = Sim.Http(sim.Sidecar("api"));

        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1.0/invoke/lifecycle/method/po/a%201/x?b=2&c=3") { Content = Sim.Json("""{"v":1}""") };
        request.Headers.Add("x-custom", "hello");
        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        response.Headers.GetValues("x-echo").Should().Equal("hello");
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/x-echo");
        (await response.Content.ReadAsStringAsync()).Should().Be("""PUT /po/a%201/x?b=2&c=3 {"v":1}""");
        var received = target.Requests.Single(r => r.Path != "/dapr/subscribe");
        received.Header("dapr-api-token").Should().Be("lifecycle-app-token", "the sidecar sends the target's APP_API_TOKEN, never the caller's DAPR_API_TOKEN");
        received.Header("x-custom").Should().Be("hello");
        received.Header("content-type").Should().StartWith("application/json");
        received.Header("dapr-caller-app-id").Should().Be("api");
        received.Header("dapr-callee-app-id").Should().Be("lifecycle");
        received.Header("traceparent").Should().NotBeNull();

        using var status = await http.GetAsync("/v1.0/invoke/lifecycle/method/po/x?status=503");
        status.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "the target's status passes through");
        sim.Invocations.Should().Contain(i => i.CallerAppId == "api" && i.TargetAppId == "lifecycle" && i.Method == "po/x" && i.StatusCode == 503);
    }

    [Fact]
    public async Task The_dapr_app_id_header_form_and_the_sdk_invoke_client_reach_the_same_app()
    {
        await using var caller = await TestApp.StartAsync((_, _) => { });
        await using var target = await TestApp.StartAsync(Echo);
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(), Sim.App("api", caller.Port, apiToken: "t"), Sim.App("logging", target.Port)));
        await Sim.ReadyAsync(sim.Sidecar("logging"));

        using var http = Sim.Http(sim.Sidecar("api"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/po/logs.json?x=1") { Content = Sim.Json("{}") };
        request.Headers.Add("dapr-app-id", "logging");
        (await (await http.SendAsync(request)).Content.ReadAsStringAsync()).Should().Be("POST /po/logs.json?x=1 {}");
        target.Received("/po/logs.json").Single().Header("dapr-app-id").Should().BeNull("daprd removes the header before forwarding");

        using var invoke = Dapr.Client.DaprClient.CreateInvokeHttpClient("logging", $"http://127.0.0.1:{sim.Sidecar("api").HttpPort}", "t");
        (await invoke.GetStringAsync("/po/status")).Should().Be("GET /po/status ");
    }

    [Fact]
    public async Task An_unknown_app_or_an_app_that_is_not_up_answers_500_ERR_DIRECT_INVOKE()
    {
        await using var caller = await TestApp.StartAsync((_, _) => { });
        var target = TestApp.NotStarted(Echo);
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(), Sim.App("api", caller.Port), Sim.App("lifecycle", target.Port)));
        using var http = Sim.Http(sim.Sidecar("api"));

        using var unknown = await http.GetAsync("/v1.0/invoke/nobody/method/x");
        unknown.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var body = JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!;
        body["errorCode"]!.GetValue<string>().Should().Be("ERR_DIRECT_INVOKE");
        body["message"]!.GetValue<string>().Should().Be("failed to invoke, id: nobody, err: couldn't find service: nobody");

        using var down = await http.GetAsync("/v1.0/invoke/lifecycle/method/x");
        down.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await down.Content.ReadAsStringAsync()).Should().Contain("ERR_DIRECT_INVOKE").And.Contain("app channel is not initialized");

        using var noAppId = await http.GetAsync("/v1.0/nothing/here");
        noAppId.StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using (target)
        {
            await target.StartAgainAsync();
            await Sim.Until(() => sim.Sidecar("lifecycle").Ready, "lifecycle app up");
            (await http.GetAsync("/v1.0/invoke/lifecycle/method/x")).StatusCode.Should().Be(HttpStatusCode.Created);
            await target.StopAsync();
            using var stopped = await http.GetAsync("/v1.0/invoke/lifecycle/method/x");
            stopped.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
            (await stopped.Content.ReadAsStringAsync()).Should().Contain("error invoking app channel");
        }
    }

    [Fact]
    public async Task Calls_go_round_robin_over_the_replicas_whose_app_is_reachable()
    {
        await using var caller = await TestApp.StartAsync((_, _) => { });
        await using var one = await TestApp.StartAsync(Echo);
        await using var two = await TestApp.StartAsync(Echo);
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(), Sim.App("api", caller.Port), Sim.App("lifecycle", one.Port, 0), Sim.App("lifecycle", two.Port, 1)));
        await Sim.ReadyAsync(sim.Sidecar("lifecycle", 0));
        await Sim.ReadyAsync(sim.Sidecar("lifecycle", 1));
        using var http = Sim.Http(sim.Sidecar("api"));

        for (var i = 0; i < 4; i++)
        {
            (await http.GetAsync("/v1.0/invoke/lifecycle/method/x")).StatusCode.Should().Be(HttpStatusCode.Created);
        }

        one.Received("/x").Should().HaveCount(2);
        two.Received("/x").Should().HaveCount(2);

        await two.StopAsync();
        await Sim.Until(() => !sim.Sidecar("lifecycle", 1).AppChannel.Reachable, "replica 1 seen down");
        for (var i = 0; i < 3; i++)
        {
            (await http.GetAsync("/v1.0/invoke/lifecycle/method/x")).StatusCode.Should().Be(HttpStatusCode.Created);
        }

        one.Received("/x").Should().HaveCount(5);
    }
}
