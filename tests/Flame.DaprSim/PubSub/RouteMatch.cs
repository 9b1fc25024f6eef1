using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// The subset of CEL routing expressions the simulator evaluates (daprd evaluates full CEL, pkg/expr): comparisons
/// <c>event.a.b == "x"</c> / <c>!=</c> against string, number or boolean literals, joined by <c>&amp;&amp;</c> or <c>||</c>
/// (<c>&amp;&amp;</c> binds tighter). Anything else is rejected when the subscription is loaded.
/// </summary>
public sealed partial class RouteMatch
{
    private readonly List<List<Comparison>> _anyOf;

    private RouteMatch(string text, List<List<Comparison>> anyOf)
    {
        Text = text;
        _anyOf = anyOf;
    }

    public string Text { get; }

    /// <summary>Parses a match; an empty one is null (no condition).</summary>
    public static RouteMatch? Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        var anyOf = new List<List<Comparison>>();
        foreach (var disjunct in trimmed.Split("||"))
        {
            var allOf = new List<Comparison>();
            foreach (var conjunct in disjunct.Split("&&"))
            {
                var m = ComparisonPattern().Match(conjunct.Trim().TrimStart('(').TrimEnd(')').Trim());
                if (!m.Success)
                {
                    throw new NotSupportedException($"the simulator cannot evaluate the routing expression '{text}' (only event.x == literal, !=, && and ||)");
                }

                allOf.Add(new Comparison(m.Groups["path"].Value.Split('.'), m.Groups["op"].Value == "==", Literal(m.Groups["value"].Value)));
            }

            anyOf.Add(allOf);
        }

        return new RouteMatch(trimmed, anyOf);
    }

    public bool Evaluate(JsonObject cloudEvent) => _anyOf.Any(all => all.All(c => c.Holds(cloudEvent)));

    public override string ToString() => Text;

    private static JsonNode? Literal(string text) => text.StartsWith('"') || text.StartsWith('\'')
        ? JsonValue.Create(text[1..^1])
        : JsonNode.Parse(text);

    [GeneratedRegex("""^event\.(?<path>[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)\s*(?<op>==|!=)\s*(?<value>"[^"]*"|'[^']*'|-?[0-9]+(\.[0-9]+)?|true|false)$""")]
    private static partial Regex ComparisonPattern();

    private sealed record Comparison(string[] Path, bool Equal, JsonNode? Value)
    {
        public bool Holds(JsonObject cloudEvent)
        {
            JsonNode? node = cloudEvent;
            foreach (var part in Path)
            {
                node = node is JsonObject obj ? obj[part] : null;
            }

            var same = node is not null && Value is not null && JsonNode.DeepEquals(node, Value);
            return Equal ? same : !same;
        }
    }
}
