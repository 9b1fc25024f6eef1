namespace Flame.Po.Dapr.State;

/// <summary>
/// Optional capability of a state store: the current ETags of keys without their values. A caller that keeps
/// values it has read can then fetch only what changed and still read its own and everyone's latest writes. The
/// embedded PostgreSQL store has it; Dapr's state API does not, so callers fall back to a bulk get.
/// </summary>
public interface IStateVersionReader
{
    /// <summary>ETag by key, for the keys that exist.</summary>
    Task<IReadOnlyDictionary<string, string>> GetETagsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}
