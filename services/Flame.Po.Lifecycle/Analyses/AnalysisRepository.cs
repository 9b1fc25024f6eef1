using Flame.Po.Dapr.State;

namespace Flame.Po.Lifecycle.Analyses;

/// <summary>
/// Analysis records in the state store (the Foundation's port: Dapr state API or the embedded PostgreSQL
/// table). Every write is a compare-and-swap on the record's ETag; changes of membership or activity also
/// update the <see cref="AnalysisIndex"/> shard of the analysis in the same transaction. The index is split into
/// 16 shards by the first hex digit of the id; within a process one writer at a time writes a shard, so concurrent
/// creates queue for it instead of losing its compare-and-swap to each other (replicas still race on the ETag).
/// </summary>
/// <remarks>Every successful write reports the transitions it recorded to <see cref="LifecycleTelemetry"/>: the
/// compare-and-swap makes each one counted once, whichever replica, command or workflow wrote it.</remarks>
public sealed class AnalysisRepository(IStateStore store, LifecycleTelemetry? telemetry = null)
{
    // Records as last read, by key; only used to skip re-reading and re-parsing unchanged records in ListAsync,
    // always checked against the store's current ETags, so a list never shows anything older than the store.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (object Value, string ETag)> _read = new(StringComparer.Ordinal);

    // One writer per index shard in this process. Concurrent writers of a shard otherwise read the same ETag and all
    // but one lose the compare-and-swap, then retry after a random delay: 0.8 lost writes per create at 20 concurrent
    // creates (`create` benchmark, StateConflictException counted with dotnet-counters).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _shardWriters = new(StringComparer.Ordinal);

    public const string IndexKeyPrefix = "analysis-index-";
    private const int IndexRetries = 50;
    private static readonly IReadOnlyList<string> IndexKeys = [.. "0123456789abcdef".Select(digit => IndexKeyPrefix + digit)];

    public static string KeyOf(string analysisId) => $"analysis-{analysisId}";

    /// <summary>The index shard of an analysis: ids are lower-case UUIDs, so the first character is a hex digit.</summary>
    public static string IndexKeyOf(string analysisId) => IndexKeyPrefix + char.ToLowerInvariant(analysisId[0]);

    public async Task<StoredAnalysis?> GetAsync(string analysisId, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(KeyOf(analysisId), cancellationToken);
        return entry is null ? null : new StoredAnalysis(entry.Get<AnalysisRecord>(), entry.ETag);
    }

    /// <summary>All records (or only active ones), ordered by creation time.</summary>
    public async Task<IReadOnlyList<StoredAnalysis>> ListAsync(bool activeOnly, CancellationToken cancellationToken)
    {
        var shards = await ReadAllAsync<AnalysisIndex>(IndexKeys, cancellationToken);
        var ids = shards
            .SelectMany(shard => activeOnly ? shard.Value.ActiveIds : shard.Value.Analyses.Keys)
            .ToList();
        if (ids.Count == 0)
        {
            if (activeOnly)
            {
                telemetry?.ObserveActive([]);
            }

            return [];
        }

        var records = await ReadAllAsync<AnalysisRecord>(ids.Select(KeyOf).ToList(), cancellationToken);
        var list = records
            .Select(record => new StoredAnalysis(record.Value, record.ETag))
            .OrderBy(stored => stored.Record.CreatedAt)
            .ThenBy(stored => stored.Record.AnalysisId, StringComparer.Ordinal)
            .ToList();
        if (activeOnly)
        {
            // A complete list of the active records (each tick reads one): the analyses gauge at no extra query.
            telemetry?.ObserveActive(list.Select(stored => stored.Record));
        }

        return list;
    }

    /// <summary>
    /// The values under <paramref name="keys"/> (index shards or records). With a store that can list ETags alone,
    /// unchanged values come from the last read and only changed ones are fetched and parsed: with 1,000 analyses a
    /// status read or a tick then costs two small queries instead of reading and parsing every record. Values are
    /// immutable, so sharing them between callers is safe.
    /// </summary>
    private async Task<List<(T Value, string ETag)>> ReadAllAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        where T : class
    {
        if (store is not IStateVersionReader versions)
        {
            return (await store.GetBulkAsync(keys, cancellationToken)).Select(entry => (entry.Get<T>(), entry.ETag)).ToList();
        }

        var current = await versions.GetETagsAsync(keys, cancellationToken);
        var result = new List<(T Value, string ETag)>(current.Count);
        var changed = new List<string>();
        foreach (var key in keys)
        {
            if (!current.TryGetValue(key, out var etag))
            {
                _read.TryRemove(key, out _);
            }
            else if (_read.TryGetValue(key, out var known) && known.ETag == etag && known.Value is T value)
            {
                result.Add((value, etag));
            }
            else
            {
                changed.Add(key);
            }
        }

        foreach (var entry in await store.GetBulkAsync(changed, cancellationToken))
        {
            var value = entry.Get<T>();
            _read[entry.Key] = (value, entry.ETag);
            result.Add((value, entry.ETag));
        }

        return result;
    }

    /// <summary>Inserts a new record; <see cref="AnalysisExistsException"/> when the id is taken.</summary>
    public async Task<StoredAnalysis> CreateAsync(AnalysisRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await WriteWithIndexAsync(
            record.AnalysisId,
            index => index.Analyses[record.AnalysisId] = record.IsActive,
            StateOperation.Upsert(KeyOf(record.AnalysisId), record, etag: null, StateConcurrency.FirstWrite),
            recordStillValid: async ct => await store.GetAsync(KeyOf(record.AnalysisId), ct) is null,
            conflict: () => new AnalysisExistsException(record.AnalysisId),
            cancellationToken);
        telemetry?.Transitioned(record.PendingEvents);
        return await GetAsync(record.AnalysisId, cancellationToken) ?? throw new StateConflictException(KeyOf(record.AnalysisId));
    }

    /// <summary>
    /// Compare-and-swap: <see cref="StateConflictException"/> when someone else wrote the record first. Returns the
    /// stored record with its new ETag.
    /// </summary>
    public async Task<StoredAnalysis> SaveAsync(StoredAnalysis current, AnalysisRecord updated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(updated);
        var key = KeyOf(updated.AnalysisId);
        if (current.Record.IsActive == updated.IsActive)
        {
            await store.SaveAsync(key, updated, current.ETag, StateConcurrency.FirstWrite, cancellationToken);
        }
        else
        {
            await WriteWithIndexAsync(
                updated.AnalysisId,
                index => index.Analyses[updated.AnalysisId] = updated.IsActive,
                StateOperation.Upsert(key, updated, current.ETag, StateConcurrency.FirstWrite),
                recordStillValid: async ct => (await store.GetAsync(key, ct))?.ETag == current.ETag,
                conflict: () => new StateConflictException(key),
                cancellationToken);
        }

        Written(current.Record, updated);

        // The store does not return the new ETag; read the pair back. A later writer's pair is as good: it is
        // consistent, and a compare-and-swap against it cannot overwrite that writer's change.
        return await GetAsync(updated.AnalysisId, cancellationToken) ?? throw new StateConflictException(key);
    }

    /// <summary>The transitions (new events) and the restart a successful write recorded.</summary>
    private void Written(AnalysisRecord before, AnalysisRecord after)
    {
        if (telemetry is null)
        {
            return;
        }

        telemetry.Transitioned(after.PendingEvents.Where(e => e.Sequence > before.Sequence));
        if (before.Phase != LifecyclePhase.Restarting && after.Phase == LifecyclePhase.Restarting)
        {
            telemetry.Restarted(after.Reason ?? "");
        }
    }

    /// <summary>Removes the record and its index entry (compare-and-swap on the record).</summary>
    public Task DeleteAsync(StoredAnalysis current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var key = KeyOf(current.Record.AnalysisId);
        return WriteWithIndexAsync(
            current.Record.AnalysisId,
            index => index.Analyses.Remove(current.Record.AnalysisId),
            StateOperation.Delete(key, current.ETag),
            recordStillValid: async ct => (await store.GetAsync(key, ct))?.ETag == current.ETag,
            conflict: () => new StateConflictException(key),
            cancellationToken);
    }

    /// <summary>
    /// One transaction of the record operation and the index update. A conflict is retried as long as it was the
    /// index that moved (another analysis changed); a conflict on the record itself is the caller's.
    /// </summary>
    private async Task WriteWithIndexAsync(
        string analysisId,
        Action<AnalysisIndex> changeIndex,
        StateOperation recordOperation,
        Func<CancellationToken, Task<bool>> recordStillValid,
        Func<Exception> conflict,
        CancellationToken cancellationToken)
    {
        var indexKey = IndexKeyOf(analysisId);
        var writer = _shardWriters.GetOrAdd(indexKey, _ => new SemaphoreSlim(1, 1));
        for (var attempt = 0; ; attempt++)
        {
            await writer.WaitAsync(cancellationToken);
            try
            {
                var (index, etag) = await ReadIndexAsync(indexKey, cancellationToken);
                changeIndex(index);
                await store.TransactAsync([recordOperation, StateOperation.Upsert(indexKey, index, etag, StateConcurrency.FirstWrite)], cancellationToken);
                return;
            }
            catch (StateConflictException) when (attempt < IndexRetries)
            {
                // Another replica wrote the shard, or the record changed: decided below, outside the shard's writer.
            }
            catch (StateConflictException)
            {
                throw new StateConflictException($"{indexKey} (analysis {analysisId}, after {IndexRetries} attempts)");
            }
            finally
            {
                writer.Release();
            }

            if (!await recordStillValid(cancellationToken))
            {
                throw conflict();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + Math.Min(attempt, 20) * 5)), cancellationToken);
        }
    }

    private async Task<(AnalysisIndex Value, string? ETag)> ReadIndexAsync(string indexKey, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(indexKey, cancellationToken);
        return entry is null ? (new AnalysisIndex(), null) : (entry.Get<AnalysisIndex>(), entry.ETag);
    }
}
