using Flame.Sandbox.Tests.Support;

using k8s;

namespace Flame.Sandbox.Tests.Kubernetes;

/// <summary>The official C# client (<c>KubernetesClient</c>), configured from the sandbox's kubeconfig (TLS, bearer token).</summary>
internal static class OfficialClient
{
    public static k8s.Kubernetes For(SandboxHarness h) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(h.Server.KubeconfigPath));
}
