namespace Flame.DaprSim.State;

/// <summary>A save, as daprd hands it to the store (components-contrib state/requests.go <c>SetRequest</c>).</summary>
public sealed record SetRequest(string Key, byte[] Value, string? ETag, string? Concurrency, IReadOnlyDictionary<string, string> Metadata) : IStateOperation
{
    /// <summary>An empty ETag counts as none (components-contrib: <c>HasETag</c>).</summary>
    public bool HasETag => !string.IsNullOrEmpty(ETag);
}

/// <summary>A delete (components-contrib state/requests.go <c>DeleteRequest</c>).</summary>
public sealed record DeleteRequest(string Key, string? ETag, string? Concurrency) : IStateOperation
{
    public bool HasETag => !string.IsNullOrEmpty(ETag);
}

/// <summary>One operation of a transaction.</summary>
public interface IStateOperation
{
    string Key { get; }
}

/// <summary>A stored item as read back: raw bytes and the opaque ETag.</summary>
public sealed record StateEntry(string Key, byte[] Value, string ETag, DateTimeOffset? ExpiresAt);
