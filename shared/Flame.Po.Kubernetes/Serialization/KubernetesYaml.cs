using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Flame.Po.Kubernetes.Serialization;

/// <summary>
/// Writes objects as YAML documents exactly as their JSON wire form (same fields, same order), for human
/// review (golden files, exported manifests) and for YAML-reading tools. Strings that a YAML reader could take
/// for another type are quoted; multi-line strings use literal blocks.
/// </summary>
public static partial class KubernetesYaml
{
    public static string Serialize<T>(T value) => FromJson(KubernetesJson.Serialize(value));

    /// <summary>Several objects as one multi-document stream.</summary>
    public static string SerializeAll<T>(IEnumerable<T> values) => string.Concat(values.Select(v => "---\n" + Serialize(v)));

    public static string FromJson(string json)
    {
        var node = JsonNode.Parse(json) ?? throw new JsonException("JSON null cannot be a YAML document.");
        var stream = new YamlStream(new YamlDocument(ToYaml(node)));
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends each document with an explicit "...": drop it, the stream stays valid YAML.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        JsonObject o => new YamlMappingNode(o.Select(p => new KeyValuePair<YamlNode, YamlNode>(Scalar(p.Key), ToYaml(p.Value)))),
        JsonArray a => a.Count == 0 ? new YamlSequenceNode { Style = YamlDotNet.Core.Events.SequenceStyle.Flow } : new YamlSequenceNode(a.Select(ToYaml)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Scalar(v.GetValue<string>()),
        JsonValue v => new YamlScalarNode(v.ToJsonString()) { Style = ScalarStyle.Plain },
        null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        _ => throw new JsonException($"Unexpected JSON node {node.GetType().Name}."),
    };

    private static YamlScalarNode Scalar(string text)
    {
        ScalarStyle style;
        if (text.Contains('\n', StringComparison.Ordinal) && !text.Any(c => char.IsControl(c) && c != '\n') && !text.StartsWith(' '))
        {
            style = ScalarStyle.Literal;
        }
        else
        {
            style = PlainSafe().IsMatch(text) && !Ambiguous().IsMatch(text) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted;
        }

        return new YamlScalarNode(text) { Style = style };
    }

    [GeneratedRegex("^[A-Za-z_./][A-Za-z0-9_./-]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();

    /// <summary>YAML 1.1 readers turn these into booleans or null.</summary>
    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Ambiguous();
}
