using k8s.KubeConfigModels;

using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// Reads a kubeconfig file into the official client's <see cref="K8SConfiguration"/>, which
/// <c>KubernetesClientConfiguration.BuildConfigFromConfigObject</c> then turns into a configuration (contexts, tokens,
/// client certificates, exec and auth-provider plugins — all the library's). Only the YAML step is ours: the
/// library's <c>LoadKubeConfig</c> reads it through <c>KubernetesYaml</c>, whose type map calls
/// <c>GetTypes()</c> on the whole KubernetesClient assembly and so loads its ~5,900 types (about 20 MB of runtime
/// type data for the life of the process, for a file of a few kilobytes; docs/architecture.md#memory). The
/// deserializer has the library's settings for kubeconfigs: camelCase names with the models' own aliases, unknown
/// fields ignored.
/// </summary>
public static class KubeConfigReader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithAttemptingUnquotedStringTypeDeserialization()
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>The kubeconfig at <paramref name="path"/> (absolute), or null when the file holds no document.</summary>
    public static K8SConfiguration? Read(string path)
    {
        using var reader = File.OpenText(path);
        var kubeconfig = Deserializer.Deserialize<K8SConfiguration?>(reader);
        if (kubeconfig is not null)
        {
            // Relative certificate, key and command paths are relative to the kubeconfig's directory.
            kubeconfig.FileName = path;
        }

        return kubeconfig;
    }
}
