using System.Globalization;

using Flame.DaprSim.Errors;

namespace Flame.DaprSim.State;

/// <summary>
/// One state store component, in memory, shared by every sidecar that loads it. It behaves as state.postgresql v2
/// (components-contrib: state/postgresql/v2/postgresql.go): ETags are random UUIDs renewed on every write; a save with an
/// ETag is an UPDATE of the unexpired row with that ETag (so an unknown key or a malformed ETag is an ETag mismatch,
/// whatever the concurrency option); a first-write save without ETag fails with "no item was updated" when the key exists;
/// a delete with an ETag must match; <c>ttlInSeconds</c> metadata expires items; transactions are all-or-nothing.
/// </summary>
public sealed class InMemoryStateStore
{
    private readonly Dictionary<string, StateEntry> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public InMemoryStateStore(string name, TimeProvider time)
    {
        Name = name;
        _time = time;
    }

    public string Name { get; }

    public StateEntry? Get(string key)
    {
        lock (_lock)
        {
            return Live(key);
        }
    }

    /// <summary>Found keys first (in request order), then the missing ones with no data, as the postgres v2 BulkGet returns them.</summary>
    public IReadOnlyList<(string Key, StateEntry? Entry)> BulkGet(IReadOnlyList<string> keys)
    {
        lock (_lock)
        {
            var found = keys.Select(k => (Key: k, Entry: Live(k))).ToList();
            return [.. found.Where(f => f.Entry is not null), .. found.Where(f => f.Entry is null)];
        }
    }

    public void Set(SetRequest request)
    {
        lock (_lock)
        {
            Apply(_items, request);
        }
    }

    public void Delete(DeleteRequest request)
    {
        lock (_lock)
        {
            Apply(_items, request);
        }
    }

    /// <summary>Runs every operation on a copy and commits it only when all succeeded (one database transaction).</summary>
    public void Multi(IReadOnlyList<IStateOperation> operations)
    {
        lock (_lock)
        {
            var copy = new Dictionary<string, StateEntry>(_items, StringComparer.Ordinal);
            foreach (var operation in operations)
            {
                Apply(copy, operation);
            }

            _items.Clear();
            foreach (var (key, entry) in copy)
            {
                _items[key] = entry;
            }
        }
    }

    /// <summary>The unexpired items, for inspection from tests.</summary>
    public IReadOnlyList<StateEntry> Snapshot()
    {
        lock (_lock)
        {
            return _items.Keys.Select(Live).OfType<StateEntry>().OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        }
    }

    private StateEntry? Live(string key) => Live(_items, key);

    private StateEntry? Live(Dictionary<string, StateEntry> items, string key) =>
        items.TryGetValue(key, out var entry) && (entry.ExpiresAt is null || entry.ExpiresAt >= _time.GetUtcNow()) ? entry : null;

    private void Apply(Dictionary<string, StateEntry> items, IStateOperation operation)
    {
        switch (operation)
        {
            case SetRequest set:
                ApplySet(items, set);
                break;
            case DeleteRequest delete:
                ApplyDelete(items, delete);
                break;
            default:
                throw new ArgumentException("unknown operation", nameof(operation));
        }
    }

    private void ApplySet(Dictionary<string, StateEntry> items, SetRequest request)
    {
        CheckOptions(request.Concurrency);
        var expires = Ttl(request.Metadata) is { } ttl and > 0 ? _time.GetUtcNow().AddSeconds(ttl) : (DateTimeOffset?)null;
        var current = Live(items, request.Key);
        if (request.HasETag)
        {
            // UPDATE … WHERE key = $1 AND etag = $3 AND not expired; a non-UUID ETag is a mismatch at once.
            if (!Guid.TryParse(request.ETag, out _) || current is null || current.ETag != request.ETag)
            {
                throw StateStoreException.ETagMismatch();
            }
        }
        else if (request.Concurrency == "first-write" && current is not null)
        {
            // INSERT … ON CONFLICT DO UPDATE … WHERE expired: an existing live row is not updated.
            throw StateStoreException.NoItemUpdated();
        }

        items[request.Key] = new StateEntry(request.Key, request.Value, Guid.NewGuid().ToString(), expires);
    }

    private static void ApplyDelete(Dictionary<string, StateEntry> items, DeleteRequest request)
    {
        CheckOptions(request.Concurrency);
        if (request.HasETag)
        {
            // DELETE … WHERE key = $1 AND etag = $2: no row deleted is a mismatch.
            if (!Guid.TryParse(request.ETag, out _) || !items.TryGetValue(request.Key, out var current) || current.ETag != request.ETag)
            {
                throw StateStoreException.ETagMismatch();
            }
        }

        items.Remove(request.Key);
    }

    // components-contrib state.CheckRequestOptions: only the documented values are accepted.
    private static void CheckOptions(string? concurrency)
    {
        if (concurrency is not (null or "" or "first-write" or "last-write"))
        {
            throw StateStoreException.Other($"unrecognized concurrency model '{concurrency}'");
        }
    }

    private static int? Ttl(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("ttlInSeconds", out var text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ttl)
            ? ttl
            : throw StateStoreException.Other($"error parsing TTL: incorrect value for metadata 'ttlInSeconds': {text}");
    }
}
