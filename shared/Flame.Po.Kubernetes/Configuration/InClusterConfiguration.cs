using System.Security.Cryptography.X509Certificates;

namespace Flame.Po.Kubernetes.Configuration;

/// <summary>The service-account files and environment a pod gets (reference/kubernetes.md §2.1).</summary>
public static class InClusterConfiguration
{
    public const string DefaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static bool IsAvailable(string directory = DefaultDirectory) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"))
        && File.Exists(Path.Combine(directory, "token"))
        && File.Exists(Path.Combine(directory, "ca.crt"));

    /// <summary>The token is re-read as the kubelet rotates it; the namespace comes from the namespace file.</summary>
    public static KubernetesConnection Load(string host, string port, string directory = DefaultDirectory, TimeProvider? timeProvider = null)
    {
        if (string.IsNullOrEmpty(host) || !int.TryParse(port, out var portNumber))
        {
            throw new KubeConfigException("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set in a pod.");
        }

        var tokenFile = Path.Combine(directory, "token");
        if (!File.Exists(tokenFile))
        {
            throw new KubeConfigException($"service-account token {tokenFile} not found.");
        }

        var authorities = new X509Certificate2Collection();
        var caFile = Path.Combine(directory, "ca.crt");
        if (File.Exists(caFile))
        {
            authorities.ImportFromPemFile(caFile);
        }

        var namespaceFile = Path.Combine(directory, "namespace");
        var ns = File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : "default";
        return new KubernetesConnection
        {
            // UriBuilder brackets IPv6 hosts.
            Server = new UriBuilder(Uri.UriSchemeHttps, host, portNumber).Uri,
            Namespace = ns.Length == 0 ? "default" : ns,
            Token = new FileTokenSource(tokenFile, timeProvider ?? TimeProvider.System),
            CertificateAuthorities = authorities,
        };
    }

    public static KubernetesConnection LoadFromEnvironment(string directory = DefaultDirectory, TimeProvider? timeProvider = null) =>
        Load(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") ?? "", Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT") ?? "", directory, timeProvider);
}
