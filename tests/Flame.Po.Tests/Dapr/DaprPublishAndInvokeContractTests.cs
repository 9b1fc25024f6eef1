using System.Net;
using System.Text.Json;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Flame.Po.Tests.Support;
using Microsoft.Extensions.Options;

namespace Flame.Po.Tests.Dapr;

/// <summary>Publishing (reference/dapr.md §2.3) and service invocation (§2.1) against the sidecar.</summary>
public sealed class DaprPublishAndInvokeContractTests : IDisposable
{
    private sealed record Transition(string AnalysisId, string To);

    private readonly RecordingHandler _sidecar = new();

    public void Dispose() => _sidecar.Dispose();

    private HttpClient Client()
    {
        var settings = Options.Create(new DaprSettings { HttpPort = 3601, ApiToken = "tok" });
        return new HttpClient(new DaprSidecarHandler(settings) { InnerHandler = _sidecar }) { BaseAddress = settings.Value.SidecarUri };
    }

    [Fact]
    public async Task Publish_posts_snake_case_json_to_the_topic()
    {
        _sidecar.Respond(HttpStatusCode.NoContent);

        await new DaprEventPublisher(Client()).PublishAsync("analysis-events", new Transition("a1", "started"), CancellationToken.None);

        var request = _sidecar.Requests.Single();
        request.Method.Should().Be(HttpMethod.Post);
        request.Uri.ToString().Should().Be("http://127.0.0.1:3601/v1.0/publish/pubsub/analysis-events");
        request.ContentType.Should().Be("application/json");
        request.Headers["dapr-api-token"].Should().Be("tok");
        request.Body.Should().Be("""{"analysis_id":"a1","to":"started"}""");
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, typeof(InvalidOperationException))]
    [InlineData(HttpStatusCode.NotFound, typeof(InvalidOperationException))]
    [InlineData(HttpStatusCode.InternalServerError, typeof(EventPublishException))]
    public async Task Publish_failures_separate_deployment_errors_from_passing_faults(HttpStatusCode status, Type expected)
    {
        _sidecar.Respond(status, """{"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE","message":"x"}""");

        var act = () => new DaprEventPublisher(Client()).PublishAsync("t", 1, CancellationToken.None);

        (await act.Should().ThrowAsync<Exception>()).Which.Should().BeOfType(expected);
    }

    [Fact]
    public async Task Invoke_keeps_verb_path_and_body_and_names_the_target_app()
    {
        _sidecar.Respond(HttpStatusCode.OK, """{"3fa85f64":"started"}""");

        var response = await new DaprServiceInvoker(Client()).InvokeAsync("lifecycle",
            new InvocationRequest(HttpMethod.Post, "/analyses", StateJson.ToElement(new Transition("a1", "x"))), CancellationToken.None);

        var request = _sidecar.Requests.Single();
        request.Method.Should().Be(HttpMethod.Post);
        request.Uri.ToString().Should().Be("http://127.0.0.1:3601/analyses");
        request.Headers["dapr-app-id"].Should().Be("lifecycle");
        request.Headers["dapr-api-token"].Should().Be("tok");
        request.ContentType.Should().Be("application/json");
        request.Body.Should().Be("""{"analysis_id":"a1","to":"x"}""");
        response.StatusCode.Should().Be(200);
        response.Body!.Value.GetProperty("3fa85f64").GetString().Should().Be("started");
    }

    [Fact]
    public async Task The_target_apps_own_errors_pass_through()
    {
        _sidecar.Respond(HttpStatusCode.Conflict, """{"title":"Conflict","status":409}""");

        var response = await new DaprServiceInvoker(Client()).InvokeAsync("lifecycle", new InvocationRequest(HttpMethod.Delete, "analyses/x"), CancellationToken.None);

        response.StatusCode.Should().Be(409);
        response.Body!.Value.GetProperty("title").GetString().Should().Be("Conflict");
        _sidecar.Requests.Single().Body.Should().BeNull();
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, """{"errorCode":"ERR_DIRECT_INVOKE","message":"fail to invoke, id: lifecycle"}""")]
    [InlineData(HttpStatusCode.Forbidden, """{"errorCode":"ERR_DIRECT_INVOKE","message":"access control policy has denied access"}""")]
    public async Task A_dapr_error_means_the_target_is_unavailable(HttpStatusCode status, string body)
    {
        _sidecar.Respond(status, body);

        var act = () => new DaprServiceInvoker(Client()).InvokeAsync("lifecycle", new InvocationRequest(HttpMethod.Get, "x"), CancellationToken.None);

        (await act.Should().ThrowAsync<ServiceUnavailableException>()).Which.AppId.Should().Be("lifecycle");
    }

    [Fact]
    public async Task A_non_json_answer_is_kept_as_a_string()
    {
        _sidecar.Respond(HttpStatusCode.OK, null, r => r.Content = new StringContent("plain text"));

        var response = await new DaprServiceInvoker(Client()).InvokeAsync("logging", new InvocationRequest(HttpMethod.Get, "x"), CancellationToken.None);

        response.Body!.Value.ValueKind.Should().Be(JsonValueKind.String);
    }
}
