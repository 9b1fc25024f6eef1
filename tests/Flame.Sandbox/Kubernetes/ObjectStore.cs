using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The etcd of the sandbox: one global revision, objects keyed by resource/namespace/name in key order,
/// and a bounded event history from which watches replay (older revisions answer 410, like a compacted etcd).
/// </summary>
public sealed class ObjectStore(int historyCapacity)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly StoreIndexes _indexes = new();
    private readonly LinkedList<WatchEvent> _history = new();
    private readonly List<Channel<WatchEvent>> _subscribers = [];
    private long _revision = 1;
    private long _compactedThrough = 1;

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>The oldest revision from which a watch can still resume.</summary>
    public long OldestWatchableRevision
    {
        get
        {
            lock (_gate)
            {
                return _compactedThrough;
            }
        }
    }

    /// <summary>
    /// Raised after each create, under the store's lock (so the timestamp is the moment the object became
    /// visible): handlers must be quick and must not call the store. Benchmarks observe creation with it
    /// instead of polling the API.
    /// </summary>
    public event Action<ObjectCreated>? Created;

    private static string Key(ResourceKind kind, string? ns, string name) => $"{kind.Plural}/{ns}/{name}";

    public JsonObject? Get(ResourceKind kind, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(kind, ns, name), out var entry) ? entry.Object.CloneObject() : null;
        }
    }

    /// <summary>
    /// Objects of one kind, in key order, cloned; with <paramref name="match"/> only those it accepts, tested before
    /// cloning. Objects must carry every label of <paramref name="labels"/>: those are looked up in the label index,
    /// so a label-selected list of one analysis' objects neither visits nor copies every object of the kind.
    /// </summary>
    /// <param name="alternatives">Without <paramref name="labels"/>: every match carries all labels of one of these
    /// (a <c>k in (a,b)</c> selector), looked up in the index too.</param>
    public (List<JsonObject> Items, long Revision) List(
        ResourceKind kind, string? ns, Func<JsonObject, bool>? match = null, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyList<IReadOnlyDictionary<string, string>>? alternatives = null)
    {
        lock (_gate)
        {
            return (Select(kind, ns, match, labels, alternatives).Select(o => o.Object.CloneObject()).ToList(), _revision);
        }
    }

    /// <summary>
    /// The same selection as <see cref="List"/>, as each object's list-item JSON (UTF-8, without <c>kind</c> and
    /// <c>apiVersion</c>), written once when the object was stored. Like the API server's watch cache, a list copies
    /// nothing while it holds the store: a list of thousands of pods does not hold up the writes beside it.
    /// </summary>
    public (List<byte[]> Items, long Revision) ListItems(
        ResourceKind kind, string? ns, Func<JsonObject, bool>? match = null, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyList<IReadOnlyDictionary<string, string>>? alternatives = null)
    {
        lock (_gate)
        {
            return (Select(kind, ns, match, labels, alternatives).Select(o => o.ListItem).ToList(), _revision);
        }
    }

    /// <summary>
    /// The first object (in key order) of <paramref name="kind"/> carrying every label of <paramref name="selector"/>
    /// and matching <paramref name="match"/>, cloned. The service proxy looks up an endpoint per request: only the
    /// objects with the selected labels are visited, and nothing is copied but the answer.
    /// </summary>
    public JsonObject? FindFirst(ResourceKind kind, string? ns, IReadOnlyDictionary<string, string> selector, Func<JsonObject, bool> match)
    {
        ArgumentNullException.ThrowIfNull(selector);
        lock (_gate)
        {
            return WithLabels(kind, ns, selector).Select(o => o.Object).FirstOrDefault(match)?.CloneObject();
        }
    }

    /// <summary>The stored objects a list selects (under the lock): by the label index when it can, in key order.</summary>
    private IEnumerable<StoredObject> Select(
        ResourceKind kind, string? ns, Func<JsonObject, bool>? match, IReadOnlyDictionary<string, string>? labels, IReadOnlyList<IReadOnlyDictionary<string, string>>? alternatives)
    {
        var candidates = labels is { Count: > 0 } ? WithLabels(kind, ns, labels)
            : alternatives is { Count: > 0 } ? WithAnyOf(kind, ns, alternatives)
            : _indexes.KeysOfKind(kind, ns).Select(key => _objects[key]);
        return candidates.Where(o => match is null || match(o.Object));
    }

    private IEnumerable<StoredObject> WithAnyOf(ResourceKind kind, string? ns, IReadOnlyList<IReadOnlyDictionary<string, string>> alternatives)
    {
        var prefix = $"{kind.Plural}/{ns}/";
        return alternatives.SelectMany(labels => _indexes.KeysWithLabels(kind, labels))
            .Distinct(StringComparer.Ordinal)
            .Where(key => ns is null || key.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(key => _objects[key]);
    }

    private IEnumerable<StoredObject> WithLabels(ResourceKind kind, string? ns, IReadOnlyDictionary<string, string> labels)
    {
        var prefix = $"{kind.Plural}/{ns}/";
        return _indexes.KeysWithLabels(kind, labels)
            .Where(key => ns is null || key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(key => _objects[key]);
    }

    /// <summary>The object with the given uid, of any kind, cloned.</summary>
    public (ResourceKind Kind, JsonObject Object)? FindByUid(string uid)
    {
        lock (_gate)
        {
            return _indexes.KeyOfUid(uid) is { } key && _objects.TryGetValue(key, out var entry)
                ? (entry.Kind, entry.Object.CloneObject())
                : null;
        }
    }

    /// <summary>Objects with an ownerReference to <paramref name="ownerUid"/>, in key order, cloned.</summary>
    public List<(ResourceKind Kind, JsonObject Object)> DependentsOf(string ownerUid)
    {
        lock (_gate)
        {
            return _indexes.KeysOwnedBy(ownerUid).Order(StringComparer.Ordinal)
                .Select(key => _objects[key])
                .Select(e => (e.Kind, e.Object.CloneObject()))
                .ToList();
        }
    }

    /// <summary>Every stored object of every kind (for dumps).</summary>
    public List<(ResourceKind Kind, JsonObject Object)> All()
    {
        lock (_gate)
        {
            return _objects.Values.Select(e => (e.Kind, e.Object.CloneObject())).ToList();
        }
    }

    private void Put(string key, ResourceKind kind, JsonObject obj)
    {
        if (_objects.TryGetValue(key, out var previous))
        {
            _indexes.Remove(key, previous.Kind, previous.Object);
        }

        _objects[key] = new StoredObject(kind, obj, ListItemJson(obj));
        _indexes.Add(key, kind, obj);
    }

    public JsonObject Create(ResourceKind kind, JsonObject obj)
    {
        var ns = obj.Str("metadata", "namespace");
        var name = obj.Str("metadata", "name") ?? throw new ArgumentException("object has no name", nameof(obj));
        lock (_gate)
        {
            var key = Key(kind, ns, name);
            if (_objects.ContainsKey(key))
            {
                throw ApiException.AlreadyExists(kind, name);
            }

            var stored = Stamp(obj);
            Put(key, kind, stored);
            Publish(new WatchEvent("ADDED", kind, stored.CloneObject(), null, _revision));
            if (Created is { } created)
            {
                created(new ObjectCreated(kind.Plural, ns, name, stored.At("metadata", "labels").StringMap(), Stopwatch.GetTimestamp()));
            }

            return stored.CloneObject();
        }
    }

    /// <summary>
    /// Atomic read-modify-write. <paramref name="mutate"/> gets a private copy and returns the new object,
    /// or null to leave the object unchanged; it may throw an <see cref="ApiException"/> (e.g. Conflict).
    /// </summary>
    public JsonObject Update(ResourceKind kind, string? ns, string name, Func<JsonObject, JsonObject?> mutate)
    {
        lock (_gate)
        {
            var key = Key(kind, ns, name);
            if (!_objects.TryGetValue(key, out var entry))
            {
                throw ApiException.NotFound(kind, name);
            }

            var next = mutate(entry.Object.CloneObject());
            if (next is null || JsonNode.DeepEquals(next, entry.Object))
            {
                return entry.Object.CloneObject();
            }

            var stored = Stamp(next);
            Put(key, kind, stored);
            Publish(new WatchEvent("MODIFIED", kind, stored.CloneObject(), entry.Object, _revision));
            return stored.CloneObject();
        }
    }

    /// <summary>
    /// Removes the object from storage; the DELETED event carries a fresh revision and the object as
    /// <paramref name="lastChange"/> left it (e.g. a pod deleted at once carries its deletion timestamp).
    /// </summary>
    public JsonObject? Remove(ResourceKind kind, string? ns, string name, string? uid = null, Action<JsonObject>? lastChange = null)
    {
        lock (_gate)
        {
            var key = Key(kind, ns, name);
            if (!_objects.TryGetValue(key, out var entry) || (uid is not null && entry.Object.Str("metadata", "uid") != uid))
            {
                return null;
            }

            _objects.Remove(key);
            _indexes.Remove(key, entry.Kind, entry.Object);
            var last = entry.Object.CloneObject();
            lastChange?.Invoke(last);
            var final = Stamp(last);
            Publish(new WatchEvent("DELETED", kind, final.CloneObject(), entry.Object, _revision));
            return final;
        }
    }

    /// <summary>The object as a list item on the wire: every field but <c>kind</c> and <c>apiVersion</c>.</summary>
    private static byte[] ListItemJson(JsonObject obj)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonPath.Wire.Encoder }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in obj)
            {
                if (name is "kind" or "apiVersion")
                {
                    continue;
                }

                writer.WritePropertyName(name);
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer, JsonPath.Wire);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private JsonObject Stamp(JsonObject obj)
    {
        _revision++;
        obj.Obj("metadata")["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture);
        return obj;
    }

    private void Publish(WatchEvent evt)
    {
        _history.AddLast(evt);
        while (_history.Count > historyCapacity)
        {
            _compactedThrough = _history.First!.Value.Revision;
            _history.RemoveFirst();
        }

        _subscribers.RemoveAll(c => !c.Writer.TryWrite(evt));
    }

    /// <summary>Forgets the whole event history, so any watch from an earlier revision gets 410 Expired.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _revision;
        }
    }

    /// <summary>
    /// Atomically takes the starting point of a watch and subscribes to later events: either the current
    /// objects (no revision) or the events after <paramref name="fromRevision"/>. Returns null when that
    /// revision has been compacted away.
    /// </summary>
    public WatchSubscription? Subscribe(ResourceKind? kind, string? ns, long? fromRevision)
    {
        var channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            List<WatchEvent> initial;
            if (fromRevision is null)
            {
                initial = kind is null
                    ? []
                    : Select(kind, ns, match: null, labels: null, alternatives: null).Select(o => new WatchEvent("ADDED", kind, o.Object.CloneObject(), null, _revision)).ToList();
            }
            else
            {
                if (fromRevision.Value < _compactedThrough)
                {
                    return null;
                }

                initial = _history.Where(e => e.Revision > fromRevision.Value && (kind is null || e.Kind == kind)).ToList();
            }

            _subscribers.Add(channel);
            return new WatchSubscription(initial, channel.Reader, _revision, () => Unsubscribe(channel));
        }
    }

    private void Unsubscribe(Channel<WatchEvent> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }
}

/// <summary>An object was stored by a create.</summary>
/// <param name="Timestamp">When, from <see cref="Stopwatch.GetTimestamp"/>.</param>
/// <summary>A stored object (never changed once stored: writes store a new one) and its list-item JSON.</summary>
internal readonly record struct StoredObject(ResourceKind Kind, JsonObject Object, byte[] ListItem);

public sealed record ObjectCreated(string Plural, string? Namespace, string Name, IReadOnlyDictionary<string, string> Labels, long Timestamp);

/// <summary>A live subscription: replayed or synthetic events first, then the live channel.</summary>
public sealed class WatchSubscription(List<WatchEvent> initial, ChannelReader<WatchEvent> live, long revision, Action unsubscribe) : IDisposable
{
    public IReadOnlyList<WatchEvent> Initial { get; } = initial;

    public ChannelReader<WatchEvent> Live { get; } = live;

    public long StartRevision { get; } = revision;

    public void Dispose() => unsubscribe();
}
