using System.Security.Cryptography.X509Certificates;
using System.Text;

using YamlDotNet.Serialization;

namespace Flame.Po.Kubernetes.Configuration;

/// <summary>
/// Reads a kubeconfig file (reference/kubernetes.md §2.1): the current or a named context; token, token file or
/// client certificate/key; CA data or file; <c>insecure-skip-tls-verify</c>. File paths are relative to the
/// kubeconfig's folder.
/// </summary>
public static class KubeConfigLoader
{
    public static KubernetesConnection Load(string path, string? context = null, TimeProvider? timeProvider = null)
    {
        KubeConfigDocument document;
        try
        {
            document = new DeserializerBuilder().IgnoreUnmatchedProperties().Build().Deserialize<KubeConfigDocument>(File.ReadAllText(path))
                ?? throw new KubeConfigException($"kubeconfig {path} is empty.");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new KubeConfigException($"kubeconfig {path} is not valid YAML: {e.Message}", e);
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Resolve(string file) => Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file);

        var contextName = context ?? document.CurrentContext ?? throw new KubeConfigException($"kubeconfig {path} has no current-context and none was named.");
        var ctx = Find(document.Contexts, contextName, "context", path);
        var cluster = Find(document.Clusters, ctx.Cluster ?? "", "cluster", path);
        var user = ctx.User is null ? new KubeConfigDocument.UserEntry() : Find(document.Users, ctx.User, "user", path);

        if (!Uri.TryCreate(cluster.Server, UriKind.Absolute, out var server))
        {
            throw new KubeConfigException($"cluster {ctx.Cluster} in {path} has no valid server URL.");
        }

        var authorities = new X509Certificate2Collection();
        if (cluster.CertificateAuthorityData is { Length: > 0 } caData)
        {
            authorities.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(caData)));
        }
        else if (cluster.CertificateAuthority is { Length: > 0 } caFile)
        {
            authorities.ImportFromPemFile(Resolve(caFile));
        }

        X509Certificate2? clientCertificate = null;
        var certPem = user.ClientCertificateData is { Length: > 0 } cd ? Encoding.UTF8.GetString(Convert.FromBase64String(cd))
            : user.ClientCertificate is { Length: > 0 } cf ? File.ReadAllText(Resolve(cf)) : null;
        var keyPem = user.ClientKeyData is { Length: > 0 } kd ? Encoding.UTF8.GetString(Convert.FromBase64String(kd))
            : user.ClientKey is { Length: > 0 } kf ? File.ReadAllText(Resolve(kf)) : null;
        if (certPem is not null)
        {
            clientCertificate = keyPem is null
                ? throw new KubeConfigException($"user {ctx.User} in {path} has a client certificate but no key.")
                : X509Certificate2.CreateFromPem(certPem, keyPem);
        }

        ITokenSource? token = user.Token is { Length: > 0 } t ? new StaticTokenSource(t)
            : user.TokenFile is { Length: > 0 } tf ? new FileTokenSource(Resolve(tf), timeProvider ?? TimeProvider.System)
            : null;

        return new KubernetesConnection
        {
            Server = server,
            Namespace = string.IsNullOrEmpty(ctx.Namespace) ? "default" : ctx.Namespace,
            Token = token,
            CertificateAuthorities = authorities,
            ClientCertificate = clientCertificate,
            SkipTlsVerify = cluster.InsecureSkipTlsVerify,
            TlsServerName = cluster.TlsServerName,
        };
    }

    private static T Find<T>(List<KubeConfigDocument.Named<T>> entries, string name, string what, string path)
        where T : class =>
        entries.FirstOrDefault(e => e.Name == name)?.Value ?? throw new KubeConfigException($"{what} '{name}' not found in kubeconfig {path}.");
}
