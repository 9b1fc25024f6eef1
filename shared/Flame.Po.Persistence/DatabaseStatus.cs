namespace Flame.Po.Persistence;

/// <summary>
/// What the migration service knows about the database, read by the readiness check: the schema is
/// usable only after migrations were applied once in this process.
/// </summary>
public sealed class DatabaseStatus
{
    private readonly TaskCompletionSource _migratedOnce = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _lastError;
    private volatile bool _migrated;

    public bool Migrated => _migrated;

    public string? LastError => _lastError;

    public void MarkMigrated()
    {
        _migrated = true;
        _lastError = null;
        _migratedOnce.TrySetResult();
    }

    /// <summary>True once the schema is usable; false if that did not happen within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForMigrationAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _migratedOnce.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void MarkFailed(string error) => _lastError = error;
}
