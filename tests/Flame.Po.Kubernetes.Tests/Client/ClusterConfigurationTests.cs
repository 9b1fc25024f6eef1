using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using Flame.Po.Lifecycle.Cluster;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flame.Po.Kubernetes.Tests.Client;

/// <summary>
/// How <see cref="ClusterConnection"/> finds its cluster: the kubeconfig named by KUBECONFIG (KUBE_CONTEXT picks the
/// context), the namespace by precedence, and a kubeconfig that cannot be used as a clear error, not a crash.
/// </summary>
public sealed class ClusterConfigurationTests : IDisposable
{
    private static readonly Lazy<(string Ca, string Cert, string Key)> s_certificates = new(CreateCertificates);

    private readonly string _root = Directory.CreateTempSubdirectory("flame-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Kubeconfig_with_token_and_ca_data_uses_the_current_context_and_kube_context_selects_another()
    {
        var path = Write("config", TwoContexts());

        var current = ClusterConnection.LoadConfiguration(new ClusterSettings { KubeConfig = path }, out var inCluster)!;
        var other = ClusterConnection.LoadConfiguration(new ClusterSettings { KubeConfig = path, Context = "prod" }, out _)!;

        inCluster.Should().BeFalse();
        current.CurrentContext.Should().Be("dev");
        current.Host.Should().Be("https://127.0.0.1:6443");
        current.AccessToken.Should().Be("dev-token");
        current.Namespace.Should().Be("flame");
        current.SslCaCerts.Should().ContainSingle().Which.Subject.Should().Be("CN=test-ca");
        other.CurrentContext.Should().Be("prod");
        other.Host.Should().Be("https://10.0.0.1:6443");
        other.AccessToken.Should().Be("prod-token");
        other.Namespace.Should().Be("flame-prod");
    }

    [Fact]
    public void Kubeconfig_with_client_certificate_and_ca_files_resolves_relative_paths_against_its_directory()
    {
        var (ca, cert, key) = s_certificates.Value;
        Write("kube/pki/ca.crt", ca);
        Write("kube/pki/client.crt", cert);
        Write("kube/pki/client.key", key);
        var path = Write("kube/config", """
            apiVersion: v1
            kind: Config
            current-context: insecure
            clusters:
            - name: certs
              cluster: {server: "https://[::1]:6443", certificate-authority: pki/ca.crt}
            - name: insecure
              cluster: {server: "https://127.0.0.1:7443", insecure-skip-tls-verify: true}
            contexts:
            - name: insecure
              context: {cluster: insecure, user: u}
            - name: certs
              context: {cluster: certs, user: u}
            users:
            - name: u
              user: {client-certificate: pki/client.crt, client-key: pki/client.key}
            """);
        var settings = new ClusterSettings { KubeConfig = path, Context = "certs" };

        var certs = ClusterConnection.LoadConfiguration(settings, out _)!;
        var insecure = ClusterConnection.LoadConfiguration(new ClusterSettings { KubeConfig = path }, out _)!;
        using var connection = Connect(settings);

        certs.SslCaCerts.Should().ContainSingle().Which.Subject.Should().Be("CN=test-ca");
        certs.ClientCertificateFilePath.Should().Be(Path.Combine(_root, "kube", "pki", "client.crt"));
        certs.ClientKeyFilePath.Should().Be(Path.Combine(_root, "kube", "pki", "client.key"));
        certs.Host.Should().Contain("[::1]");
        insecure.SkipTlsVerify.Should().BeTrue();
        connection.IsConfigured.Should().BeTrue("the client certificate and its key were found and read");
        connection.Namespace.Should().Be("default");
    }

    [Theory]
    [InlineData("prod", " po-ns ", "po-ns")]
    [InlineData("prod", null, "flame-prod")]
    [InlineData("prod", "  ", "flame-prod")]
    [InlineData("bare", null, "default")]
    public void The_namespace_is_po_namespace_else_the_contexts_else_default(string context, string? poNamespace, string expected)
    {
        using var connection = Connect(new ClusterSettings { KubeConfig = Write("config", TwoContexts()), Context = context, Namespace = poNamespace });

        connection.Namespace.Should().Be(expected);
        connection.Objects.Should().NotBeNull();
    }

    [Theory]
    [InlineData("auto", true)]
    [InlineData("proxy", true)]
    [InlineData("direct", false)]
    public void Outside_the_cluster_analyses_are_reached_through_the_service_proxy_unless_told_otherwise(string access, bool proxy)
    {
        using var connection = Connect(new ClusterSettings { KubeConfig = Write("config", TwoContexts()), AnalysisAccess = access });

        connection.InCluster.Should().BeFalse();
        connection.UsesServiceProxy.Should().Be(proxy);
    }

    [Fact]
    public void A_missing_kubeconfig_leaves_the_cluster_unconfigured_with_a_clear_error()
    {
        var path = Path.Combine(_root, "nowhere", "config");

        using var connection = Connect(new ClusterSettings { KubeConfig = path });

        AssertUnavailable(connection, "*cannot be loaded*" + path + "*");
    }

    [Fact]
    public void A_context_that_the_kubeconfig_lacks_leaves_the_cluster_unconfigured_with_a_clear_error()
    {
        using var connection = Connect(new ClusterSettings { KubeConfig = Write("config", TwoContexts()), Context = "missing" });

        AssertUnavailable(connection, "*cannot be loaded*missing*");
    }

    public static TheoryData<string, string> BrokenKubeconfigs => new()
    {
        { "not yaml", "clusters: [\n  - {name: c, cluster: {server: \"https://x\"\n" },
        { "empty", "" },
        { "wrong shape", "clusters: 42\ncontexts: {a: b}\n" },
        { "no server", "current-context: c\nclusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: t}\n" },
        { "bad ca data", "current-context: c\nclusters:\n- name: c\n  cluster: {server: \"https://x\", certificate-authority-data: \"!!not base64!!\"}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: t}\n" },
        { "missing client key", "current-context: c\nclusters:\n- name: c\n  cluster: {server: \"https://x\", insecure-skip-tls-verify: true}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {client-certificate: nowhere.crt, client-key: nowhere.key}\n" },
        { "garbage client certificate", "current-context: c\nclusters:\n- name: c\n  cluster: {server: \"https://x\", insecure-skip-tls-verify: true}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {client-certificate-data: \"bm90IGEgY2VydA==\", client-key-data: \"bm90IGEga2V5\"}\n" },
    };

    [Theory]
    [MemberData(nameof(BrokenKubeconfigs))]
    public void A_broken_kubeconfig_leaves_the_cluster_unconfigured_with_a_clear_error(string what, string text)
    {
        using var connection = Connect(new ClusterSettings { KubeConfig = Write("config", text) });

        AssertUnavailable(connection, "The Kubernetes configuration cannot be loaded: *", what);
    }

    private static void AssertUnavailable(ClusterConnection connection, string message, string because = "")
    {
        connection.IsConfigured.Should().BeFalse(because);
        connection.Invoking(c => c.Client).Should().Throw<ClusterUnavailableException>(because).WithMessage(message);
        connection.Invoking(c => c.Namespace).Should().Throw<ClusterUnavailableException>(because);
        connection.Invoking(c => c.Objects).Should().Throw<ClusterUnavailableException>(because);
    }

    private static ClusterConnection Connect(ClusterSettings settings) =>
        new(Options.Create(settings), TimeProvider.System, NullLoggerFactory.Instance);

    private static string TwoContexts() => $$"""
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://127.0.0.1:6443
            certificate-authority-data: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(s_certificates.Value.Ca))}}
        - name: prod-cluster
          cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
        contexts:
        - name: dev
          context: {cluster: dev-cluster, user: dev-user, namespace: flame}
        - name: prod
          context: {cluster: prod-cluster, user: prod-user, namespace: flame-prod}
        - name: bare
          context: {cluster: prod-cluster, user: prod-user}
        users:
        - name: dev-user
          user: {token: dev-token}
        - name: prod-user
          user: {token: prod-token}
        """;

    private string Write(string relative, string text)
    {
        var path = Path.GetFullPath(Path.Combine(_root, relative));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static (string Ca, string Cert, string Key) CreateCertificates()
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
}
