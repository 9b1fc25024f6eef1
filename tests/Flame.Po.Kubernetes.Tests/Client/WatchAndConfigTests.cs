using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using Flame.Po.Kubernetes.Client;
using Flame.Po.Kubernetes.Configuration;
using Flame.Po.Kubernetes.Models;
using Flame.Po.Kubernetes.Tests.Support;

using Microsoft.AspNetCore.Http;

namespace Flame.Po.Kubernetes.Tests.Client;

public sealed class WatchAndConfigTests
{
    private static string Pod(string name, string rv) => $$$"""{"metadata":{"name":"{{{name}}}","resourceVersion":"{{{rv}}}"}}""";

    private static string Event(string type, string name, string rv) => $$$"""{"type":"{{{type}}}","object":{{{Pod(name, rv)}}}}""" + "\n";

    [Fact]
    public async Task Watch_resumes_after_a_dropped_connection_and_relists_after_410()
    {
        var consumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedApiServer.StartAsync(async (c, i) =>
        {
            switch (i)
            {
                case 0:
                    await ScriptedApiServer.Json(c, 200, $$"""{"metadata":{"resourceVersion":"10"},"items":[{{Pod("a", "5")}}]}""");
                    break;
                case 1:
                    // An event and a bookmark in one chunk; once the client has taken the event, the connection
                    // drops mid-stream (aborting earlier could discard the bytes before the client reads them).
                    c.Response.ContentType = "application/json";
                    await c.Response.WriteAsync(Event("ADDED", "b", "11") + """{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12"}}}""" + "\n");
                    await c.Response.Body.FlushAsync();
                    await consumed.Task.WaitAsync(TimeSpan.FromSeconds(20));
                    c.Abort();
                    break;
                case 2:
                    await ScriptedApiServer.Json(c, 200, """{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 12 (40)"}}""" + "\n");
                    break;
                case 3:
                    await ScriptedApiServer.Json(c, 200, $$"""{"metadata":{"resourceVersion":"40"},"items":[{{Pod("b", "30")}},{{Pod("c", "31")}}]}""");
                    break;
                default:
                    await ScriptedApiServer.Json(c, 200, Event("MODIFIED", "c", "41"));
                    break;
            }
        });
        using var client = server.Client();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var events = new List<string>();
        await foreach (var change in client.Pods().WatchAsync(new ListOptions { LabelSelector = "app=x" }, cts.Token))
        {
            events.Add($"{change.Type} {change.Item.Metadata.Name}@{change.Item.Metadata.ResourceVersion}");
            if (events.Count == 2)
            {
                consumed.TrySetResult();
            }

            if (events.Count == 6)
            {
                break;
            }
        }

        events.Should().Equal("Added a@5", "Added b@11", "Modified b@30", "Added c@31", "Deleted a@5", "Modified c@41");
        var paths = server.Requests.Select(r => r.PathAndQuery).ToList();
        paths[1].Should().Contain("watch=true").And.Contain("allowWatchBookmarks=true").And.Contain("resourceVersion=10");
        paths[2].Should().Contain("resourceVersion=12", "the watch resumes from the bookmark after the drop");
        paths[3].Should().NotContain("watch=true", "410 forces a fresh list");
        paths[4].Should().Contain("resourceVersion=40");
        foreach (var request in server.Requests)
        {
            KubernetesPermissions.All.Should().Contain(KubernetesClientTests.RbacRuleOf(request));
        }
    }

    [Fact]
    public async Task A_rotated_token_file_is_picked_up()
    {
        var directory = Directory.CreateTempSubdirectory("flame-token-").FullName;
        try
        {
            var tokenFile = Path.Combine(directory, "token");
            await File.WriteAllTextAsync(tokenFile, "token-1\n");
            var clock = new ManualClock();
            await using var server = await ScriptedApiServer.StartAsync((c, _) => c.Request.Headers.Authorization == "Bearer token-0"
                ? ScriptedApiServer.Json(c, 401, ScriptedApiServer.Status(401, "Unauthorized", "expired"))
                : ScriptedApiServer.Json(c, 200, """{"metadata":{},"items":[]}"""));
            using var client = server.Client(new FileTokenSource(tokenFile, clock));

            await client.Pods().ListAsync();
            await File.WriteAllTextAsync(tokenFile, "token-2");
            await client.Pods().ListAsync();
            clock.Advance(TimeSpan.FromSeconds(61));
            await client.Pods().ListAsync();
            await File.WriteAllTextAsync(tokenFile, "token-3");
            var source = new FileTokenSource(tokenFile, clock);
            await File.WriteAllTextAsync(tokenFile, "token-0");
            await source.GetTokenAsync(CancellationToken.None);
            await File.WriteAllTextAsync(tokenFile, "token-4");
            using var second = server.Client(source);
            await second.Pods().ListAsync();

            server.Requests.Select(r => r.Authorization).Should().Equal("Bearer token-1", "Bearer token-1", "Bearer token-2", "Bearer token-0", "Bearer token-4");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Kubeconfig_with_token_and_ca_data_uses_the_current_context()
    {
        using var files = new TempFiles();
        var (caPem, _, _) = Certificates();
        var path = files.Write("config", $"""
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: dev-cluster
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem))}
            contexts:
            - name: dev
              context: {"{"}cluster: dev-cluster, user: dev-user, namespace: flame{"}"}
            users:
            - name: dev-user
              user:
                token: secret-token
            """);

        var connection = KubeConfigLoader.Load(path);

        connection.Server.Should().Be(new Uri("https://127.0.0.1:6443"));
        connection.Namespace.Should().Be("flame");
        connection.CertificateAuthorities.Should().ContainSingle();
        connection.Token.Should().BeOfType<StaticTokenSource>();
        connection.ToString().Should().NotContain("secret-token");
    }

    [Fact]
    public void Kubeconfig_with_client_certificate_and_ca_files_resolves_relative_paths()
    {
        using var files = new TempFiles();
        var (caPem, certPem, keyPem) = Certificates();
        files.Write("pki/ca.crt", caPem);
        files.Write("pki/client.crt", certPem);
        files.Write("pki/client.key", keyPem);
        var path = files.Write("kube/../config", """
            current-context: other
            clusters:
            - name: c
              cluster: {server: "https://[::1]:6443", certificate-authority: pki/ca.crt}
            - name: insecure
              cluster: {server: "https://127.0.0.1:7443", insecure-skip-tls-verify: true}
            contexts:
            - name: other
              context: {cluster: insecure, user: u}
            - name: certs
              context: {cluster: c, user: u}
            users:
            - name: u
              user: {client-certificate: pki/client.crt, client-key: pki/client.key}
            """);

        var certs = KubeConfigLoader.Load(path, "certs");
        var insecure = KubeConfigLoader.Load(path);

        certs.ClientCertificate!.HasPrivateKey.Should().BeTrue();
        certs.CertificateAuthorities.Should().ContainSingle();
        certs.Namespace.Should().Be("default");
        certs.Server.Host.Should().Be("[::1]");
        insecure.SkipTlsVerify.Should().BeTrue();
        FluentActions.Invoking(() => KubeConfigLoader.Load(path, "missing")).Should().Throw<KubeConfigException>().WithMessage("*context 'missing'*");
    }

    [Fact]
    public void In_cluster_configuration_reads_the_service_account_files()
    {
        using var files = new TempFiles();
        var (caPem, _, _) = Certificates();
        files.Write("sa/token", "sa-token");
        files.Write("sa/ca.crt", caPem);
        files.Write("sa/namespace", "flame-node\n");

        var connection = InClusterConfiguration.Load("fd00::1", "443", Path.Combine(files.Root, "sa"));

        connection.Server.Should().Be(new Uri("https://[fd00::1]/"));
        connection.Namespace.Should().Be("flame-node");
        connection.Token.Should().BeOfType<FileTokenSource>();
        connection.CertificateAuthorities.Should().ContainSingle();
    }

    private static (string Ca, string Cert, string Key) Certificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var clientKey = RSA.Create(2048);
        var clientRequest = new CertificateRequest("CN=flame-po", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        return (ca.ExportCertificatePem(), client.ExportCertificatePem(), clientKey.ExportPkcs8PrivateKeyPem());
    }

    private sealed class TempFiles : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("flame-kubeconfig-").FullName;

        public string Write(string relative, string text)
        {
            var path = Path.GetFullPath(Path.Combine(Root, relative));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
