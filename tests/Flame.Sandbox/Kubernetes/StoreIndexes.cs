using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// Secondary indexes of the <see cref="ObjectStore"/> (guarded by its lock): by kind, by uid, by owner uid and by
/// label. The controllers and the service proxy look objects up on every event and every proxied request; a scan
/// of the whole store there made the simulator quadratic in the number of analyses (1,000 analyses are ~14,000
/// objects), so each lookup touches only the objects it can match.
/// </summary>
internal sealed class StoreIndexes
{
    private readonly Dictionary<string, SortedSet<string>> _byKind = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _keyByUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _keysByOwnerUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _keysByLabel = new(StringComparer.Ordinal);

    public void Add(string key, ResourceKind kind, JsonObject obj)
    {
        if (!_byKind.TryGetValue(kind.Plural, out var keys))
        {
            _byKind[kind.Plural] = keys = new SortedSet<string>(StringComparer.Ordinal);
        }

        keys.Add(key);
        if (obj.Str("metadata", "uid") is { } uid)
        {
            _keyByUid[uid] = key;
        }

        foreach (var owner in OwnerUids(obj))
        {
            AddTo(_keysByOwnerUid, owner, key);
        }

        foreach (var label in Labels(kind, obj))
        {
            AddTo(_keysByLabel, label, key);
        }
    }

    public void Remove(string key, ResourceKind kind, JsonObject obj)
    {
        if (_byKind.TryGetValue(kind.Plural, out var keys))
        {
            keys.Remove(key);
        }

        if (obj.Str("metadata", "uid") is { } uid && _keyByUid.TryGetValue(uid, out var indexed) && indexed == key)
        {
            _keyByUid.Remove(uid);
        }

        foreach (var owner in OwnerUids(obj))
        {
            RemoveFrom(_keysByOwnerUid, owner, key);
        }

        foreach (var label in Labels(kind, obj))
        {
            RemoveFrom(_keysByLabel, label, key);
        }
    }

    /// <summary>Keys of the objects of one kind (in one namespace, or all), in key order.</summary>
    public IEnumerable<string> KeysOfKind(ResourceKind kind, string? ns)
    {
        if (!_byKind.TryGetValue(kind.Plural, out var keys))
        {
            return [];
        }

        var prefix = $"{kind.Plural}/{ns}/";
        return ns is null ? keys : keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal));
    }

    public string? KeyOfUid(string uid) => _keyByUid.GetValueOrDefault(uid);

    public IReadOnlyCollection<string> KeysOwnedBy(string ownerUid) =>
        _keysByOwnerUid.TryGetValue(ownerUid, out var keys) ? keys : [];

    /// <summary>
    /// Keys of the objects of <paramref name="kind"/> carrying every label of <paramref name="selector"/>, in key
    /// order (empty for an empty selector: a Service without selector has no endpoints).
    /// </summary>
    public IEnumerable<string> KeysWithLabels(ResourceKind kind, IReadOnlyDictionary<string, string> selector)
    {
        HashSet<string>? smallest = null;
        foreach (var (name, value) in selector)
        {
            if (!_keysByLabel.TryGetValue(LabelKey(kind, name, value), out var keys))
            {
                return [];
            }

            smallest = smallest is null || keys.Count < smallest.Count ? keys : smallest;
        }

        return smallest is null
            ? []
            : smallest.Where(key => selector.All(l => _keysByLabel[LabelKey(kind, l.Key, l.Value)].Contains(key))).Order(StringComparer.Ordinal);
    }

    private static IEnumerable<string> OwnerUids(JsonObject obj) =>
        obj.At("metadata", "ownerReferences").Objects().Select(r => r.Str("uid")).OfType<string>().Distinct(StringComparer.Ordinal);

    private static IEnumerable<string> Labels(ResourceKind kind, JsonObject obj) =>
        obj.At("metadata", "labels").StringMap().Select(l => LabelKey(kind, l.Key, l.Value));

    private static string LabelKey(ResourceKind kind, string name, string value) => $"{kind.Plural}\n{name}\n{value}";

    private static void AddTo(Dictionary<string, HashSet<string>> index, string entry, string key)
    {
        if (!index.TryGetValue(entry, out var keys))
        {
            index[entry] = keys = new HashSet<string>(StringComparer.Ordinal);
        }

        keys.Add(key);
    }

    private static void RemoveFrom(Dictionary<string, HashSet<string>> index, string entry, string key)
    {
        if (index.TryGetValue(entry, out var keys) && keys.Remove(key) && keys.Count == 0)
        {
            index.Remove(entry);
        }
    }
}
