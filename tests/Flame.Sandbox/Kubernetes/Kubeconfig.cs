namespace Flame.Sandbox.Kubernetes;

/// <summary>Writes a kubeconfig with a bearer token for the sandbox cluster (usable by kubectl and any client).</summary>
public static class Kubeconfig
{
    public static string Write(string directory, string server, string certificateAuthorityPem, string token, string ns)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: flame-sandbox
              cluster:
                server: {server}
                certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificateAuthorityPem))}
            users:
            - name: flame-sandbox-admin
              user:
                token: {token}
            contexts:
            - name: flame-sandbox
              context:
                cluster: flame-sandbox
                user: flame-sandbox-admin
                namespace: {ns}
            current-context: flame-sandbox
            preferences: {"{}"}

            """);
        return path;
    }
}
