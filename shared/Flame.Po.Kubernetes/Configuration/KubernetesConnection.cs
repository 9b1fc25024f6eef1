using System.Security.Cryptography.X509Certificates;

namespace Flame.Po.Kubernetes.Configuration;

/// <summary>Where the API server is and how to authenticate, from a kubeconfig or the in-cluster files.</summary>
public sealed record KubernetesConnection
{
    public required Uri Server { get; init; }
    public string Namespace { get; init; } = "default";
    public ITokenSource? Token { get; init; }

    /// <summary>Trusted roots for the server certificate; empty means the system store.</summary>
    public X509Certificate2Collection CertificateAuthorities { get; init; } = [];

    public X509Certificate2? ClientCertificate { get; init; }
    public bool SkipTlsVerify { get; init; }

    /// <summary>kubeconfig <c>tls-server-name</c>: the name the server certificate must carry.</summary>
    public string? TlsServerName { get; init; }

    public override string ToString() => $"KubernetesConnection {{ Server = {Server}, Namespace = {Namespace}, Token = {Token}, ClientCertificate = {ClientCertificate?.Subject}, SkipTlsVerify = {SkipTlsVerify} }}";
}

/// <summary>The kubeconfig or in-cluster configuration cannot be used.</summary>
public sealed class KubeConfigException : Exception
{
    public KubeConfigException(string message)
        : base(message)
    {
    }

    public KubeConfigException()
    {
    }

    public KubeConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
