namespace Flame.Po.Kubernetes.Models;

/// <summary>A Secret; <see cref="Data"/> values are base64 as on the wire (see <see cref="SecretData"/>).</summary>
public sealed record Secret() : KubernetesObject("v1", "Secret"), IKubernetesResource
{
    public static ResourceKind Resource => ResourceKind.Secrets;

    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";
    public const string OpaqueType = "Opaque";
    public const string DockerConfigJsonKey = ".dockerconfigjson";

    public bool? Immutable { get; init; }
    public string? Type { get; init; }
    public IReadOnlyDictionary<string, string>? Data { get; init; }

    /// <summary>Record printing would show the values; secrets must never reach logs.</summary>
    public override string ToString() => $"Secret {{ Name = {Metadata.Name}, Type = {Type}, Keys = [{string.Join(", ", Data?.Keys ?? [])}] }}";
}

public static class SecretData
{
    public static string Encode(string value) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value));

    public static string Decode(string base64) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}
