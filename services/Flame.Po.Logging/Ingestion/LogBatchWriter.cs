using System.Data;
using System.Threading.Channels;
using Flame.Po.Core.Contracts;
using Flame.Po.Logging.Hub;
using Flame.Po.Logging.Reports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// The single writer of streamed lines: takes whatever is queued (up to <see cref="MaxBatch"/> lines), decides
/// every line as if they had come one by one (<see cref="LogBatchPlan"/>), writes them in one transaction and
/// answers each caller after the commit. When this writer stored the analyses' previous lines itself, the batch is
/// decided from the rows it remembers and written in one round trip, which stores nothing for a row changed since
/// (<see cref="KnownStreams"/>); otherwise, and for whatever that write left, the rows are locked and read first.
/// A failed batch fails only its own callers (the Api answers 503 and the SDK retries); the next batch starts afresh.
/// The writer keeps one connection from batch to batch while lines keep coming and gives it back to the pool after
/// <see cref="IdleConnection"/> without a line or after a failed batch: a pool hands its idle connections out in
/// turn, and a database backend that slept through the others' turns answers a lone line markedly slower
/// (README "Performance").
/// </summary>
public sealed class LogBatchWriter(
    LogIngestor ingestor,
    NpgsqlDataSource dataSource,
    IOptions<LoggingSettings> settings,
    ReportPublisher reports,
    HubDeliverySignal hubSignal,
    LoggingTelemetry telemetry,
    TimeProvider time,
    ILogger<LogBatchWriter> logger) : BackgroundService
{
    public const int MaxBatch = 256;

    /// <summary>How long the writer keeps its connection while no line comes.</summary>
    public static readonly TimeSpan IdleConnection = TimeSpan.FromSeconds(30);

    private static readonly IReadOnlySet<(string AnalysisId, string Key)> NoKeys = new HashSet<(string, string)>();

    private readonly KnownStreams _known = new();

    private NpgsqlConnection? _connection;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        ingestor.Complete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = ingestor.Queue;
        var batch = new List<PendingLine>(MaxBatch);
        try
        {
            while (await WaitForLinesAsync(queue, stoppingToken))
            {
                while (batch.Count < MaxBatch && queue.TryRead(out var line))
                {
                    batch.Add(line);
                }

                await WriteAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Fail(batch, new LogStoreUnavailableException("The logging service is shutting down."));
            while (queue.TryRead(out var line))
            {
                line.Completion.TrySetException(new LogStoreUnavailableException("The logging service is shutting down."));
            }
        }
        finally
        {
            await ReleaseConnectionAsync();
        }
    }

    /// <summary>Waits for the next line; gives the connection back once none came for <see cref="IdleConnection"/>.</summary>
    private async ValueTask<bool> WaitForLinesAsync(ChannelReader<PendingLine> queue, CancellationToken stoppingToken)
    {
        if (_connection is null || queue.TryPeek(out _))
        {
            return await queue.WaitToReadAsync(stoppingToken);
        }

        using (var idle = new CancellationTokenSource(IdleConnection, time))
        using (var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, idle.Token))
        {
            try
            {
                return await queue.WaitToReadAsync(either.Token);
            }
            catch (OperationCanceledException) when (idle.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
            }
        }

        await ReleaseConnectionAsync();
        return await queue.WaitToReadAsync(stoppingToken);
    }

    private async ValueTask<NpgsqlConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { State: ConnectionState.Open })
        {
            return _connection;
        }

        await ReleaseConnectionAsync();
        _connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return _connection;
    }

    private async ValueTask ReleaseConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }

    private async Task WriteAsync(List<PendingLine> batch, CancellationToken cancellationToken)
    {
        try
        {
            var rest = await WriteKnownAsync(batch, cancellationToken);
            if (rest.Count > 0)
            {
                await WriteLockedAsync(rest, cancellationToken);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong, only this batch's callers hear of it: the writer must outlive any one batch. Lines
            // already answered keep their answer; what this process knew of the rows is read again under the lock.
            if (error is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Storing {Count} log lines failed; their callers are asked to retry: {Error}", batch.Count, error.Message);
            }
            else
            {
                logger.LogError(error, "Storing {Count} log lines failed unexpectedly; their callers are asked to retry", batch.Count);
            }

            foreach (var line in batch)
            {
                _known.Forget(line.Line.AnalysisId);
            }

            // The connection may be broken or mid-transaction: the next batch takes a fresh one.
            await ReleaseConnectionAsync();
            Fail(batch, new LogStoreUnavailableException("The log store is unavailable; try again later.", error));
        }
    }

    /// <summary>
    /// The one-statement write of a batch whose rows this process knows (<see cref="KnownStreams"/>) and whose every
    /// line is stored; returns the lines still to be decided under the lock (all of them when the batch does not
    /// qualify, or those of analyses whose row changed since this process wrote it).
    /// </summary>
    private async Task<List<PendingLine>> WriteKnownAsync(List<PendingLine> batch, CancellationToken cancellationToken)
    {
        var rows = _known.RowsOf(batch);
        if (rows is null)
        {
            return batch;
        }

        var plan = LogBatchPlan.Decide(batch, rows, NoKeys, settings.Value.RetryWindow);
        if (plan.Inserts.Count != batch.Count)
        {
            // A retry or a deleted analysis: decided again on the locked rows, where they are certain.
            return batch;
        }

        var connection = await ConnectionAsync(cancellationToken);
        var written = await LogBatchStore.WriteAsync(connection, null, plan, rows, cancellationToken);

        Completed(batch, plan, rows, written);
        return batch.Where(line => !written.ContainsKey(line.Line.AnalysisId)).ToList();
    }

    private async Task WriteLockedAsync(List<PendingLine> batch, CancellationToken cancellationToken)
    {
        LogBatchPlan plan;
        Dictionary<string, LogStreamRow> streams;
        Dictionary<string, string> written;
        var connection = await ConnectionAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            streams = await LogStreamRow.LockAllAsync(connection, transaction, batch.Select(p => p.Line.AnalysisId).ToList(), cancellationToken);
            var storedKeys = await LogBatchStore.StoredKeysAsync(connection, transaction, batch, cancellationToken);
            plan = LogBatchPlan.Decide(batch, streams, storedKeys, settings.Value.RetryWindow);
            written = await LogBatchStore.WriteAsync(connection, transaction, plan, streams, cancellationToken);
            if (plan.Streams.FirstOrDefault(s => !written.ContainsKey(s.AnalysisId)) is { } missed)
            {
                throw new InvalidOperationException($"The locked log_stream row of analysis {missed.AnalysisId} changed within its own transaction.");
            }

            await transaction.CommitAsync(cancellationToken);
        }

        // Rows that got no line keep the version the lock gave them (this transaction's, like the written ones).
        foreach (var (analysisId, row) in streams)
        {
            written.TryAdd(analysisId, row.Version);
        }

        Completed(batch, plan, streams, written);
    }

    /// <summary>
    /// Answers the lines of the analyses in <paramref name="written"/> after their commit, remembers those rows as
    /// committed, and wakes the report publisher and the Hub delivery for them.
    /// </summary>
    private void Completed(List<PendingLine> batch, LogBatchPlan plan, IReadOnlyDictionary<string, LogStreamRow> rows, Dictionary<string, string> written)
    {
        var outcomes = new List<IngestResult>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (written.ContainsKey(batch[i].Line.AnalysisId))
            {
                outcomes.Add(plan.Outcomes[i]);
                batch[i].Completion.TrySetResult(plan.Outcomes[i]);
            }
        }

        telemetry.Ingested(outcomes);
        var updates = plan.Streams.ToDictionary(s => s.AnalysisId, StringComparer.Ordinal);
        foreach (var (analysisId, version) in written)
        {
            _known.Remember(analysisId, rows[analysisId], updates.GetValueOrDefault(analysisId), version);
        }

        foreach (var analysisId in rows.Keys.Where(id => !written.ContainsKey(id)))
        {
            _known.Forget(analysisId);
        }

        foreach (var stream in plan.Streams.Where(s => s.ReportChanges > 0 && written.ContainsKey(s.AnalysisId)))
        {
            reports.Notify(stream.AnalysisId);
        }

        if (plan.Inserts.Any(line => written.ContainsKey(line.Pending.Line.AnalysisId)))
        {
            hubSignal.Notify();
        }
    }

    private static void Fail(List<PendingLine> batch, Exception error)
    {
        foreach (var line in batch)
        {
            line.Completion.TrySetException(error);
        }
    }
}
