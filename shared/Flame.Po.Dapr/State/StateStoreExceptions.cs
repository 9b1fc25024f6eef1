namespace Flame.Po.Dapr.State;

public class StateStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The ETag did not match (or first-write found the key taken): re-read and decide again.</summary>
public sealed class StateConflictException(string key)
    : StateStoreException($"State key '{key}' was changed by someone else (ETag mismatch).")
{
    public string Key { get; } = key;
}

/// <summary>The store could not be reached or failed; the operation may be retried later.</summary>
public sealed class StateStoreUnavailableException(string message, Exception? inner = null) : StateStoreException(message, inner);
