namespace Flame.Po.Persistence;

/// <summary>
/// What the migration service knows about the database, read by the readiness check: the schema is
/// usable only after migrations were applied once in this process.
/// </summary>
public sealed class DatabaseStatus
{
    private volatile string? _lastError;
    private volatile bool _migrated;

    public bool Migrated => _migrated;

    public string? LastError => _lastError;

    public void MarkMigrated()
    {
        _migrated = true;
        _lastError = null;
    }

    public void MarkFailed(string error) => _lastError = error;
}
