using Flame.Po.Kubernetes.Tests.Support;

using k8s;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Flame.Po.Kubernetes.Tests.Client;

/// <summary>What a pod log read sends: PodLogCollector relies on container, previous and limitBytes reaching the server.</summary>
public sealed class PodLogRequestTests
{
    [Fact]
    public async Task A_log_read_passes_container_previous_and_limit_bytes()
    {
        await using var server = await ScriptedApiServer.StartAsync(async (c, _) =>
        {
            c.Response.ContentType = "text/plain";
            await c.Response.WriteAsync("line 1\nline 2\n");
        });
        using var client = server.Client();

        await using var log = await client.CoreV1.ReadNamespacedPodLogAsync("p1", "flame", container: "c1", previous: true, limitBytes: 4096);
        using var reader = new StreamReader(log);

        (await reader.ReadToEndAsync()).Should().Be("line 1\nline 2\n");
        var request = server.Requests.Single();
        request.Method.Should().Be("GET");
        request.PathAndQuery.Should().StartWith("/api/v1/namespaces/flame/pods/p1/log?");
        var query = QueryHelpers.ParseQuery(new Uri(server.Address, request.PathAndQuery).Query);
        query.Should().HaveCount(3);
        query["container"].ToString().Should().Be("c1");
        query["previous"].ToString().Should().Be("true");
        query["limitBytes"].ToString().Should().Be("4096");
    }
}
