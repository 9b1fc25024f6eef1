using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// Field selectors: only <c>=</c>, <c>==</c>, <c>!=</c> joined by commas, and only the fields each
/// resource supports; anything else is 400 BadRequest like on the apiserver.
/// </summary>
public sealed class FieldSelector
{
    private static readonly Dictionary<string, string[]> Extra = new(StringComparer.Ordinal)
    {
        ["pods"] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
        ["secrets"] = ["type"],
        ["namespaces"] = ["status.phase"],
    };

    private readonly List<(string Field, bool Negated, string Value)> _terms;

    private FieldSelector(List<(string Field, bool Negated, string Value)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The name pinned by <c>metadata.name=x</c>, if any (used to watch one object).</summary>
    public string? Name => _terms.FirstOrDefault(t => t is { Field: "metadata.name", Negated: false }).Value;

    public static FieldSelector Parse(string? text, ResourceKind kind)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            var (op, index) = part.Contains("!=", StringComparison.Ordinal) ? ("!=", part.IndexOf("!=", StringComparison.Ordinal))
                : part.Contains("==", StringComparison.Ordinal) ? ("==", part.IndexOf("==", StringComparison.Ordinal))
                : ("=", part.IndexOf('=', StringComparison.Ordinal));
            if (index <= 0)
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            }

            var field = part[..index].Trim();
            var value = part[(index + op.Length)..].Trim();
            var supported = field is "metadata.name" or "metadata.namespace"
                || (Extra.TryGetValue(kind.Plural, out var extra) && extra.Contains(field));
            if (!supported)
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, op == "!=", value));
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj) => _terms.All(t => (ValueOf(obj, t.Field) == t.Value) != t.Negated);

    private static string ValueOf(JsonObject obj, string field)
    {
        var node = obj.At(field.Split('.'));
        return node switch
        {
            null => "",
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            _ => node is JsonValue s && s.TryGetValue<string>(out var str) ? str : node.ToJsonString(),
        };
    }
}
