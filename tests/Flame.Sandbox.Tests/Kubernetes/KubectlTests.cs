using System.Diagnostics;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Kubernetes;

/// <summary>The Debian kubectl as a second, independent client of the simulator.</summary>
public sealed class KubectlTests
{
    private static async Task<(int Code, string Out, string Err)> KubectlAsync(SandboxHarness h, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(h.Server.KubeconfigPath);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(SandboxHarness.Timeout());
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Kubectl_get_and_apply_work_against_the_sandbox()
    {
        await using var h = await SandboxHarness.StartAsync();
        var (code, output, error) = await KubectlAsync(h, "get", "pods,deployments", "-A");
        code.Should().Be(0, error);

        var manifest = Path.Combine(Path.GetDirectoryName(h.Server.KubeconfigPath)!, "demo.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
            spec:
              replicas: 2
              selector:
                matchLabels: {app: demo}
              template:
                metadata:
                  labels: {app: demo}
                spec:
                  containers:
                  - name: demo
                    image: "sim/stuck"
            """);
        var apply = await KubectlAsync(h, "apply", "-f", manifest);
        apply.Code.Should().Be(0, apply.Err);
        apply.Out.Should().Contain("deployment.apps/demo created");
        await DeletionTests.WaitUntilAsync(() => h.Server.Objects.List("pods", h.Ns, "app=demo").Count(p => p["status"]?["phase"]?.GetValue<string>() == "Running") == 2);
        await h.Server.Objects.WaitForAsync("deployments", h.Ns, "demo", d => d["status"]?["readyReplicas"]?.GetValue<int>() == 2, SandboxHarness.Timeout());

        (code, output, error) = await KubectlAsync(h, "get", "pods,deployments", "-A");
        code.Should().Be(0, error);
        output.Should().Contain("deployment.apps/demo").And.Contain("2/2").And.Contain("Running", output);

        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest)).Replace("replicas: 2", "replicas: 1", StringComparison.Ordinal));
        var reapply = await KubectlAsync(h, "apply", "-f", manifest);
        reapply.Out.Should().Contain("deployment.apps/demo configured", reapply.Err);
        await DeletionTests.WaitUntilAsync(() => h.Server.Objects.List("pods", h.Ns, "app=demo").Count(p => p["metadata"]?["deletionTimestamp"] is null) == 1);

        var delete = await KubectlAsync(h, "delete", "deployment", "demo");
        delete.Code.Should().Be(0, delete.Err);
    }

    [Fact]
    public async Task Kubectl_creates_a_namespace_and_a_secret_sent_as_protobuf()
    {
        await using var h = await SandboxHarness.StartAsync();
        var create = await KubectlAsync(h, "create", "namespace", "scratch");
        create.Code.Should().Be(0, create.Err);
        create.Out.Should().Contain("namespace/scratch created");
        var get = await KubectlAsync(h, "get", "namespace", "scratch");
        get.Code.Should().Be(0, get.Err);
        get.Out.Should().Contain("scratch").And.Contain("Active");

        var secret = await KubectlAsync(h, "create", "secret", "generic", "creds", "--from-literal=k=v", "--from-literal=user=admin");
        secret.Code.Should().Be(0, secret.Err);
        secret.Out.Should().Contain("secret/creds created");
        var data = await KubectlAsync(h, "get", "secret", "creds", "-o", "jsonpath={.data.k}");
        data.Code.Should().Be(0, data.Err);
        data.Out.Should().Be(Convert.ToBase64String("v"u8.ToArray()));
        var stored = h.Server.Objects.Get("secrets", h.Ns, "creds")!;
        stored["type"]!.GetValue<string>().Should().Be("Opaque");
        stored["data"]!["user"]!.GetValue<string>().Should().Be(Convert.ToBase64String("admin"u8.ToArray()));

        var inNamespace = await KubectlAsync(h, "create", "secret", "generic", "other", "-n", "scratch", "--from-literal=a=b");
        inNamespace.Code.Should().Be(0, inNamespace.Err);
        h.Server.Objects.Get("secrets", "scratch", "other").Should().NotBeNull();
    }

    [Fact]
    public async Task Kubectl_apply_validates_on_the_server_and_refuses_unknown_fields()
    {
        await using var h = await SandboxHarness.StartAsync();
        var manifest = Path.Combine(Path.GetDirectoryName(h.Server.KubeconfigPath)!, "typo.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: typo
            spec:
              replicas: 1
              replicaz: 3
              selector:
                matchLabels: {app: typo}
              template:
                metadata:
                  labels: {app: typo}
                spec:
                  containers:
                  - name: typo
                    image: "sim/stuck"
                    imagee: "sim/ok"
            """);
        var create = await KubectlAsync(h, "apply", "-f", manifest);
        create.Code.Should().NotBe(0);
        create.Err.Should().Contain("Error from server (BadRequest): error when creating")
            .And.Contain("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replicaz\", unknown field \"spec.template.spec.containers[0].imagee\"");
        h.Server.Objects.Get("deployments", h.Ns, "typo").Should().BeNull();

        var warned = await KubectlAsync(h, "apply", "--validate=warn", "-f", manifest);
        warned.Code.Should().Be(0, warned.Err);
        warned.Err.Should().Contain("Warning: unknown field \"spec.replicaz\"");
        var stored = h.Server.Objects.Get("deployments", h.Ns, "typo")!;
        stored["spec"]!["replicaz"].Should().BeNull("the apiserver drops unknown fields");
        stored["spec"]!["template"]!["spec"]!["containers"]![0]!["imagee"].Should().BeNull();

        var patch = await KubectlAsync(h, "apply", "-f", manifest);
        patch.Code.Should().NotBe(0);
        patch.Err.Should().Contain("The request is invalid: patch: Invalid value:").And.Contain("strict decoding error: ").And.Contain("unknown field \"spec.replicaz\"");
    }

    [Fact]
    public async Task Kubectl_creates_a_deployment_and_a_service_sent_as_protobuf()
    {
        await using var h = await SandboxHarness.StartAsync();
        var deployment = await KubectlAsync(h, "create", "deployment", "web", "--image=sim/stuck", "--port=8080");
        deployment.Code.Should().Be(0, deployment.Err);
        deployment.Out.Should().Contain("deployment.apps/web created");
        var service = await KubectlAsync(h, "create", "service", "clusterip", "web", "--tcp=80:8080");
        service.Code.Should().Be(0, service.Err);
        var port = h.Server.Objects.Get("services", h.Ns, "web")!["spec"]!["ports"]![0]!;
        port["port"]!.GetValue<int>().Should().Be(80);
        port["targetPort"]!.GetValue<int>().Should().Be(8080);
        var container = h.Server.Objects.Get("deployments", h.Ns, "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!;
        container["image"]!.GetValue<string>().Should().Be("sim/stuck");
        container["ports"]![0]!["containerPort"]!.GetValue<int>().Should().Be(8080);
        await h.Server.Objects.WaitForAsync("deployments", h.Ns, "web", d => d["status"]?["readyReplicas"]?.GetValue<int>() == 1, SandboxHarness.Timeout());
    }

    [Fact]
    public async Task Kubectl_scales_a_deployment_through_its_scale_subresource()
    {
        await using var h = await SandboxHarness.StartAsync();
        (await h.PostAsync(h.Deployments, SandboxHarness.Deployment("web", "sim/stuck"))).Code.Should().Be(201);
        var scale = await KubectlAsync(h, "scale", "deployment", "web", "--replicas=3");
        scale.Code.Should().Be(0, scale.Err);
        scale.Out.Should().Contain("deployment.apps/web scaled");
        await h.Server.Objects.WaitForAsync("deployments", h.Ns, "web", d => d["status"]?["readyReplicas"]?.GetValue<int>() == 3, SandboxHarness.Timeout());
        var get = await KubectlAsync(h, "get", "deployment", "web");
        get.Out.Should().Contain("3/3");
    }
}
