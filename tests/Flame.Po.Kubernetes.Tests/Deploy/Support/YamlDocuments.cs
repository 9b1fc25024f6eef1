using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Flame.Po.Kubernetes.Tests.Deploy.Support;

/// <summary>
/// Reads YAML (one or many documents) into JSON nodes, typing plain scalars as YAML 1.2's core schema does
/// (integers, floats, booleans, null) and keeping quoted scalars strings: the form the API server and daprd see.
/// </summary>
internal static class YamlDocuments
{
    public static List<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Where(d => d.RootNode is not YamlScalarNode { Value: null or "" })
            .Select(d => ToJson(d.RootNode) as JsonObject ?? throw new InvalidOperationException("A document is not a mapping."))
            .ToList();
    }

    public static JsonObject ParseFile(string path) =>
        Parse(File.ReadAllText(path)) is [var single] ? single : throw new InvalidOperationException($"{path} must hold exactly one document.");

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new InvalidOperationException($"Unsupported YAML node {node.NodeType}."),
    };

    private static JsonValue? Plain(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        _ when text.StartsWith("0o", StringComparison.Ordinal) => JsonValue.Create(Convert.ToInt64(text[2..], 8)),
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && text.Any(char.IsDigit) => JsonValue.Create(real),
        _ => JsonValue.Create(text),
    };
}
