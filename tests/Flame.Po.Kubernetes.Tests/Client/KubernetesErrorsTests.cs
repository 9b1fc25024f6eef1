using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Cluster;

using k8s;
using k8s.Autorest;
using k8s.Models;

using Microsoft.AspNetCore.Http;

namespace Flame.Po.Kubernetes.Tests.Client;

/// <summary>How <see cref="KubernetesErrors"/> reads the official client's failures (status code and Status body).</summary>
public sealed class KubernetesErrorsTests
{
    [Fact]
    public async Task Not_found_is_classified_and_carries_the_status()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) =>
            ScriptedApiServer.Json(c, 404, ScriptedApiServer.Status(404, "NotFound", "pods \"p\" not found", """{"name":"p","kind":"pods"}""")));
        using var client = server.Client();

        var error = await FailureOf(() => client.CoreV1.ReadNamespacedPodAsync("p", "flame"));

        KubernetesErrors.Classify(error).Should().Be(KubernetesFailure.NotFound);
        KubernetesErrors.IsApiError(error).Should().BeTrue();
        var status = KubernetesErrors.StatusOf(error)!;
        status.Reason.Should().Be("NotFound");
        status.Details.Kind.Should().Be("pods");
        status.Details.Name.Should().Be("p");
        KubernetesErrors.Describe(error).Should().Be("Kubernetes API 404 NotFound: pods \"p\" not found");
        server.Requests.Should().ContainSingle("a 404 is an answer, not a failure to retry");
    }

    [Fact]
    public async Task Conflict_is_told_apart_from_already_exists_by_the_status_reason()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, i) => i == 0
            ? ScriptedApiServer.Json(c, 409, ScriptedApiServer.Status(409, "AlreadyExists", "services \"s\" already exists"))
            : ScriptedApiServer.Json(c, 409, ScriptedApiServer.Status(409, "Conflict", "the object has been modified; please apply your changes to the latest version")));
        using var client = server.Client();
        var service = new V1Service { ApiVersion = "v1", Kind = "Service", Metadata = new V1ObjectMeta { Name = "s" } };

        var exists = await FailureOf(() => client.CoreV1.CreateNamespacedServiceAsync(service, "flame"));
        var stale = await FailureOf(() => client.CoreV1.ReplaceNamespacedServiceAsync(service, "s", "flame"));

        KubernetesErrors.Classify(exists).Should().Be(KubernetesFailure.AlreadyExists);
        KubernetesErrors.Classify(stale).Should().Be(KubernetesFailure.Conflict);
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Invalid_surfaces_the_causes()
    {
        const string details = """{"name":"d","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}]}""";
        await using var server = await ScriptedApiServer.StartAsync((c, _) => ScriptedApiServer.Json(c, 422, ScriptedApiServer.Status(422, "Invalid", "Deployment.apps \"d\" is invalid", details)));
        using var client = server.Client();
        var deployment = new V1Deployment { ApiVersion = "apps/v1", Kind = "Deployment", Metadata = new V1ObjectMeta { Name = "d" } };

        var create = () => new KubernetesObjects(client, "flame").CreateIfMissingAsync(deployment, CancellationToken.None);

        var error = (await create.Should().ThrowAsync<HttpOperationException>()).Which;
        KubernetesErrors.Classify(error).Should().Be(KubernetesFailure.Invalid);
        var cause = KubernetesErrors.StatusOf(error)!.Details.Causes.Single();
        cause.Field.Should().Be("spec.selector");
        cause.Reason.Should().Be("FieldValueRequired");
        KubernetesErrors.Describe(error).Should().Be("Kubernetes API 422 Invalid: Deployment.apps \"d\" is invalid");
    }

    [Fact]
    public async Task Gone_is_classified()
    {
        await using var server = await ScriptedApiServer.StartAsync((c, _) =>
            ScriptedApiServer.Json(c, 410, ScriptedApiServer.Status(410, "Expired", "too old resource version: 12 (40)")));
        using var client = server.Client();

        var error = await FailureOf(() => client.CoreV1.ListNamespacedPodAsync("flame", resourceVersion: "12"));

        KubernetesErrors.Classify(error).Should().Be(KubernetesFailure.Gone);
    }

    [Fact]
    public async Task An_answer_without_a_status_body_is_described_by_its_text()
    {
        await using var server = await ScriptedApiServer.StartAsync(async (c, _) =>
        {
            c.Response.StatusCode = 409;
            c.Response.ContentType = "text/html";
            await c.Response.WriteAsync("<html>" + new string('x', 5000) + "</html>");
        });
        using var client = server.Client();

        var error = await FailureOf(() => client.CoreV1.ReadNamespacedConfigMapAsync("c", "flame"));

        KubernetesErrors.StatusOf(error).Should().BeNull();
        KubernetesErrors.Classify(error).Should().Be(KubernetesFailure.Conflict, "without a Status there is no AlreadyExists reason");
        KubernetesErrors.Describe(error).Should().StartWith("Kubernetes API 409 Conflict: <html>xxx").And.HaveLength("Kubernetes API 409 Conflict: ".Length + 1000);
    }

    [Fact]
    public void A_transport_failure_is_no_api_error()
    {
        var error = new HttpRequestException("Connection refused");

        KubernetesErrors.Classify(error).Should().Be(KubernetesFailure.Other);
        KubernetesErrors.IsApiError(error).Should().BeFalse();
        KubernetesErrors.Describe(error).Should().Be("Connection refused");
    }

    private static async Task<HttpOperationException> FailureOf(Func<Task> call) =>
        (await call.Should().ThrowAsync<HttpOperationException>()).Which;
}
