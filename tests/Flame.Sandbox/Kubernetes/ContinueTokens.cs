using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// Paging with snapshot semantics: the first page freezes the filtered result at its revision, later pages
/// read from that snapshot. Tokens expire after a TTL (410 Expired, as with a compacted etcd revision).
/// </summary>
public sealed class ContinueTokens(TimeProvider time, TimeSpan ttl)
{
    private readonly ConcurrentDictionary<string, (List<byte[]> Items, long Revision, DateTimeOffset Created)> _snapshots = new();

    public const string ExpiredMessage = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    public string Issue(List<byte[]> items, long revision, int offset)
    {
        // Expired snapshots are dropped here: a client that never reads its last page must not make the
        // simulator hold every list it ever paged (a status loop pages the whole namespace every tick).
        var now = time.GetUtcNow();
        foreach (var expired in _snapshots.Where(s => now - s.Value.Created > ttl).Select(s => s.Key).ToList())
        {
            _snapshots.TryRemove(expired, out _);
        }

        var id = Guid.NewGuid().ToString("N");
        _snapshots[id] = (items, revision, now);
        return Encode(id, revision, offset);
    }

    /// <summary>The last page was served: the snapshot is no longer needed.</summary>
    public void Complete(string id) => _snapshots.TryRemove(id, out _);

    public int Outstanding => _snapshots.Count;

    public string Next(string id, long revision, int offset) => Encode(id, revision, offset);

    private static string Encode(string id, long revision, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{{\"v\":\"meta.k8s.io/v1\",\"rv\":{revision},\"id\":\"{id}\",\"offset\":{offset}}}")));

    public (List<byte[]> Items, long Revision, string Id, int Offset) Resolve(string token)
    {
        string id;
        int offset;
        try
        {
            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)))!.AsObject();
            id = json["id"]!.GetValue<string>();
            offset = json["offset"]!.GetValue<int>();
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {e.Message}");
        }

        if (!_snapshots.TryGetValue(id, out var snapshot) || time.GetUtcNow() - snapshot.Created > ttl)
        {
            _snapshots.TryRemove(id, out _);
            throw ApiException.Gone(ExpiredMessage);
        }

        return (snapshot.Items, snapshot.Revision, id, offset);
    }

    /// <summary>Makes every outstanding token answer 410 (test hook).</summary>
    public void ExpireAll() => _snapshots.Clear();
}
