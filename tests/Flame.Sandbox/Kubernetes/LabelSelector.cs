using System.Text.RegularExpressions;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The apiserver's label selector grammar: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>,
/// <c>k notin (a)</c>, <c>k</c>, <c>!k</c>; comma means AND. Parse errors become 400 BadRequest.
/// </summary>
public sealed partial class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements;

    private LabelSelector(List<Func<IReadOnlyDictionary<string, string>, bool>> requirements, Dictionary<string, string> equalities, IReadOnlyList<IReadOnlyDictionary<string, string>>? alternatives = null)
    {
        _requirements = requirements;
        Equalities = equalities;
        Alternatives = alternatives ?? [];
    }

    public static LabelSelector Everything { get; } = new([], []);

    /// <summary>The <c>k=v</c> requirements: every match carries these labels, so the store can look them up in its index.</summary>
    public IReadOnlyDictionary<string, string> Equalities { get; }

    /// <summary>
    /// For a selector whose only indexable requirement is <c>k in (a,b)</c>: every match carries <c>k=a</c> or
    /// <c>k=b</c>, so the store can look up each in its index instead of visiting every object.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Alternatives { get; }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r(labels));

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        var equalities = new Dictionary<string, string>(StringComparer.Ordinal);
        var sets = new List<(string Key, HashSet<string> Values)>();
        foreach (var part in SplitTopLevel(text))
        {
            requirements.Add(ParseRequirement(part.Trim(), text, equalities, sets));
        }

        var alternatives = equalities.Count == 0 && sets.Count > 0
            ? sets[0].Values.Select(v => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(StringComparer.Ordinal) { [sets[0].Key] = v }).ToList()
            : null;
        return new LabelSelector(requirements, equalities, alternatives);
    }

    /// <summary>Builds a selector from a <c>matchLabels</c>/<c>matchExpressions</c> object (Deployment, Service).</summary>
    public static LabelSelector FromMatchLabels(IReadOnlyDictionary<string, string> matchLabels) =>
        new(
            matchLabels.Select(kv => (Func<IReadOnlyDictionary<string, string>, bool>)(l => l.TryGetValue(kv.Key, out var v) && v == kv.Value)).ToList(),
            matchLabels.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseRequirement(string part, string whole, Dictionary<string, string> equalities, List<(string Key, HashSet<string> Values)> sets)
    {
        if (part.Length == 0)
        {
            throw Error(whole, "found '', expected: identifier");
        }

        var set = SetRegex().Match(part);
        if (set.Success)
        {
            var key = ValidKey(set.Groups["key"].Value, whole);
            var values = set.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            foreach (var v in values)
            {
                ValidValue(v, whole);
            }

            if (set.Groups["op"].Value == "in")
            {
                sets.Add((key, values));
            }

            return set.Groups["op"].Value == "in"
                ? l => l.TryGetValue(key, out var v) && values.Contains(v)
                : l => !l.TryGetValue(key, out var v) || !values.Contains(v);
        }

        var eq = EqualityRegex().Match(part);
        if (eq.Success)
        {
            var key = ValidKey(eq.Groups["key"].Value.Trim(), whole);
            var value = ValidValue(eq.Groups["value"].Value.Trim(), whole);
            if (eq.Groups["op"].Value == "!=")
            {
                return l => !l.TryGetValue(key, out var v) || v != value;
            }

            // A second k=v with another value matches nothing; the index lookup keeps the first, Matches rules it out.
            equalities.TryAdd(key, value);
            return l => l.TryGetValue(key, out var v) && v == value;
        }

        if (part.StartsWith('!'))
        {
            var key = ValidKey(part[1..].Trim(), whole);
            return l => !l.ContainsKey(key);
        }

        var exists = ValidKey(part, whole);
        return l => l.ContainsKey(exists);
    }

    private static string ValidKey(string key, string whole)
    {
        if (!Validation.IsQualifiedName(key))
        {
            throw Error(whole, $"invalid label key \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }

        return key;
    }

    private static string ValidValue(string value, string whole)
    {
        if (!Validation.IsLabelValue(value))
        {
            throw Error(whole, $"invalid label value: \"{value}\": at key: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }

        return value;
    }

    private static ApiException Error(string whole, string detail) =>
        ApiException.BadRequest($"unable to parse requirement: {detail} (selector \"{whole}\")");

    [GeneratedRegex(@"^(?<key>[^\s!=(),]+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$")]
    private static partial Regex SetRegex();

    [GeneratedRegex(@"^(?<key>[^!=]+?)\s*(?<op>==|!=|=)\s*(?<value>[^=!]*)$")]
    private static partial Regex EqualityRegex();
}
