using System.Diagnostics;
using System.Net;

using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Cluster;
using Flame.Testing;

using k8s;
using k8s.Autorest;
using k8s.Models;

using Microsoft.AspNetCore.Http;

namespace Flame.Po.Kubernetes.Tests.Client;

/// <summary>
/// <see cref="KubernetesResilienceHandler"/> in the official client's pipeline: what is retried, after how long,
/// what a timeout and an open circuit look like to the caller.
/// </summary>
public sealed class ResilienceHandlerTests
{
    private const string DeploymentJson = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d1","uid":"u-1"}}""";

    /// <summary>Generous: only proves that nothing waited for a timeout, a Retry-After or a break to end.</summary>
    private static readonly TimeSpan DidNotWait = TimeSpan.FromSeconds(15);

    private static V1Deployment Deployment() => new() { ApiVersion = "apps/v1", Kind = "Deployment", Metadata = new V1ObjectMeta { Name = "d1" } };

    private static Task Unavailable(HttpContext c) => ScriptedApiServer.Json(c, 503, ScriptedApiServer.Status(503, "ServiceUnavailable", "etcd busy"));

    [Fact]
    public async Task Too_many_requests_is_retried_after_the_servers_retry_after_even_for_a_create()
    {
        await using var server = await ScriptedApiServer.StartAsync(async (c, i) =>
        {
            if (i == 0)
            {
                c.Response.Headers.RetryAfter = "1";
                await ScriptedApiServer.Json(c, 429, ScriptedApiServer.Status(429, "TooManyRequests", "slow down"));
                return;
            }

            await ScriptedApiServer.Json(c, 201, DeploymentJson);
        });
        var logger = new ListLogger();
        using var client = server.Client(logger: logger);

        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "flame");

        created.Metadata.Uid.Should().Be("u-1");
        server.Requests.Should().HaveCount(2, "a 429 is retried even for a create: the server did not process it");
        server.Requests.Select(r => r.Method).Should().Equal("POST", "POST");
        server.Requests.Last().Body.Should().Contain("\"d1\"").And.Be(server.Requests.First().Body, "the retry sends the body again");
        logger.Messages.Should().ContainSingle().Which.Should().Contain("429").And.Contain("in 1000 ms");
    }

    [Fact]
    public async Task A_retry_after_beyond_the_bound_is_cut_to_the_bound()
    {
        await using var server = await ScriptedApiServer.StartAsync(async (c, i) =>
        {
            if (i == 0)
            {
                c.Response.Headers.RetryAfter = "3600";
                await ScriptedApiServer.Json(c, 429, ScriptedApiServer.Status(429, "TooManyRequests", "slow down"));
                return;
            }

            await ScriptedApiServer.Json(c, 200, DeploymentJson);
        });
        var logger = new ListLogger();
        using var client = server.Client(ScriptedApiServer.FastRetries with { MaxRetryAfter = TimeSpan.FromMilliseconds(20) }, logger);
        var clock = Stopwatch.StartNew();

        await client.AppsV1.ReadNamespacedDeploymentAsync("d1", "flame");

        clock.Elapsed.Should().BeLessThan(DidNotWait);
        logger.Messages.Should().ContainSingle().Which.Should().Contain("in 20 ms");
    }

    [Fact]
    public async Task Server_errors_are_retried_for_reads_and_deletes_but_not_for_creates()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, i) => i is 0 or 1 or 3 or 4
            ? Unavailable(c)
            : ScriptedApiServer.Json(c, 200, DeploymentJson));
        using var client = server.Client();

        (await client.AppsV1.ReadNamespacedDeploymentAsync("d1", "flame")).Metadata.Name.Should().Be("d1");
        server.Requests.Should().HaveCount(3);

        var create = () => client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "flame");
        (await create.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        server.Requests.Should().HaveCount(4, "a create may have been processed before the server failed");

        (await new KubernetesObjects(client, "flame").DeleteIfPresentAsync(Deployment(), CancellationToken.None)).Should().BeTrue();
        server.Requests.Should().HaveCount(6);
        server.Requests.Select(r => r.Method).Should().Equal("GET", "GET", "GET", "POST", "DELETE", "DELETE");
    }

    [Fact]
    public async Task Server_errors_end_as_the_last_answer_once_the_retries_are_spent()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => Unavailable(c));
        using var client = server.Client(ScriptedApiServer.FastRetries with { MaxRetries = 2 });

        var read = () => client.CoreV1.ListNamespacedPodAsync("flame");

        (await read.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        server.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_for_a_read_but_not_for_a_create()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, i) =>
        {
            if (i is 0 or 2)
            {
                c.Abort();
                return Task.CompletedTask;
            }

            return ScriptedApiServer.Json(c, 200, DeploymentJson);
        });
        using var client = server.Client();

        (await client.AppsV1.ReadNamespacedDeploymentAsync("d1", "flame")).Metadata.Name.Should().Be("d1");
        server.Requests.Should().HaveCount(2);

        var create = () => client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "flame");
        await create.Should().ThrowAsync<HttpRequestException>();
        server.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task An_attempt_that_does_not_answer_times_out_and_ends_as_a_transport_error()
    {
        await using var server = await ScriptedApiServer.StartAsync(async (c, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(60), c.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        using var client = server.Client(ScriptedApiServer.FastRetries with { RequestTimeout = TimeSpan.FromSeconds(1), MaxRetries = 2 });
        var clock = Stopwatch.StartNew();

        var read = () => client.CoreV1.ListNamespacedPodAsync("flame");
        var error = (await read.Should().ThrowAsync<HttpRequestException>()).Which;

        clock.Elapsed.Should().BeLessThan(DidNotWait);
        error.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        error.Message.Should().Contain("did not answer");
        await Wait.UntilAsync(() => server.Requests.Count == 3, DidNotWait, "the read is tried three times (one attempt and two retries)", TimeSpan.FromMilliseconds(20));

        var create = () => client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "flame");
        await create.Should().ThrowAsync<HttpRequestException>();
        await Wait.UntilAsync(() => server.Requests.Count >= 4, DidNotWait, "the create was sent", TimeSpan.FromMilliseconds(20));
        server.Requests.Should().HaveCount(4, "a create that timed out may have been processed: it is not repeated");
    }

    [Fact]
    public async Task The_circuit_opens_after_repeated_server_errors_and_then_fails_fast_without_sending()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => Unavailable(c));
        var logger = new ListLogger();
        var options = ScriptedApiServer.FastRetries with
        {
            MaxRetries = 1,
            BreakerMinimumThroughput = 2,
            BreakerFailureRatio = 0.5,
            BreakerSamplingDuration = TimeSpan.FromSeconds(30),
            BreakerBreakDuration = TimeSpan.FromMinutes(5),
        };
        using var client = server.Client(options, logger);

        var read = () => client.CoreV1.ListNamespacedPodAsync("flame");
        await read.Should().ThrowAsync<HttpOperationException>();
        server.Requests.Should().HaveCount(2);

        var clock = Stopwatch.StartNew();
        var error = (await read.Should().ThrowAsync<HttpRequestException>()).Which;
        var create = () => client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "flame");
        await create.Should().ThrowAsync<HttpRequestException>();

        clock.Elapsed.Should().BeLessThan(DidNotWait);
        error.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        error.Message.Should().Contain("refused");
        server.Requests.Should().HaveCount(2, "an open circuit sends nothing");
        logger.Messages.Should().Contain(m => m.Contains("Kubernetes API failing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Client_errors_are_answers_and_are_not_retried()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 403, ScriptedApiServer.Status(403, "Forbidden", "pods is forbidden")));
        using var client = server.Client();

        var read = () => client.CoreV1.ListNamespacedPodAsync("flame");

        (await read.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        server.Requests.Should().ContainSingle();
    }
}
