using System.Text.Json;

namespace Flame.Po.Dapr.State;

/// <summary>
/// Key/value state with ETag concurrency, the contract of Dapr's state API (Dapr docs, State management API reference).
/// A write carrying an ETag succeeds only if the stored ETag still matches; <see cref="StateConcurrency.FirstWrite"/>
/// without an ETag succeeds only if the key does not exist yet. Conflicts raise <see cref="StateConflictException"/>;
/// an unreachable store raises <see cref="StateStoreUnavailableException"/>.
/// </summary>
public interface IStateStore
{
    Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Returns the entries that exist, in no particular order; missing keys are left out.</summary>
    Task<IReadOnlyList<StateEntry>> GetBulkAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    Task SaveAsync(string key, JsonElement value, string? etag, StateConcurrency concurrency, CancellationToken cancellationToken);

    /// <summary>Deletes a key; deleting a missing key without an ETag is not an error.</summary>
    Task DeleteAsync(string key, string? etag, CancellationToken cancellationToken);

    /// <summary>Applies all operations atomically, in order: all succeed or none does.</summary>
    Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken);
}
