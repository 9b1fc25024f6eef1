using System.Text.Json.Nodes;

namespace Flame.DaprSim.Resources;

/// <summary>A Dapr Configuration resource (<c>kind: Configuration</c>); only access control is simulated.</summary>
public sealed record ConfigurationSpec(string Name, AccessControlSpec? AccessControl)
{
    /// <summary>The trust domain of this app's own identity (daprd: pkg/config, default "public").</summary>
    public string TrustDomain => AccessControl?.TrustDomain is { Length: > 0 } domain ? domain : "public";

    public static ConfigurationSpec Parse(JsonObject doc) =>
        new(YamlDocuments.Text(doc["metadata"]?["name"]) ?? "", AccessControlSpec.Parse(doc["spec"]?["accessControl"]));

    /// <summary>Reads the Configuration in a <c>--config</c> file (its first Configuration document).</summary>
    public static ConfigurationSpec Load(string path) =>
        YamlDocuments.ReadFile(path).Where(d => YamlDocuments.Text(d["kind"]) == "Configuration").Select(Parse).FirstOrDefault()
            ?? throw new InvalidDataException($"{path} holds no Configuration");

    public static ConfigurationSpec Default { get; } = new("daprsystem", null);
}
