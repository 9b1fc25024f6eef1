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
/// answers each caller after the commit. A failed batch fails only its own callers (the Api answers 503 and the
/// SDK retries); the next batch starts afresh.
/// </summary>
public sealed class LogBatchWriter(
    LogIngestor ingestor,
    NpgsqlDataSource dataSource,
    IOptions<LoggingSettings> settings,
    ReportPublisher reports,
    HubDeliverySignal hubSignal,
    LoggingTelemetry telemetry,
    ILogger<LogBatchWriter> logger) : BackgroundService
{
    public const int MaxBatch = 256;

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
            while (await queue.WaitToReadAsync(stoppingToken))
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
    }

    private async Task WriteAsync(List<PendingLine> batch, CancellationToken cancellationToken)
    {
        LogBatchPlan plan;
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var streams = await LogStreamRow.LockAllAsync(connection, transaction, batch.Select(p => p.Line.AnalysisId).ToList(), cancellationToken);
            var storedKeys = await LogBatchStore.StoredKeysAsync(connection, transaction, batch, cancellationToken);
            plan = LogBatchPlan.Decide(batch, streams, storedKeys, settings.Value.RetryWindow);
            await LogBatchStore.WriteAsync(connection, transaction, plan, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong, only this batch's callers hear of it: the writer must outlive any one batch.
            if (error is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Storing {Count} log lines failed; their callers are asked to retry: {Error}", batch.Count, error.Message);
            }
            else
            {
                logger.LogError(error, "Storing {Count} log lines failed unexpectedly; their callers are asked to retry", batch.Count);
            }

            Fail(batch, new LogStoreUnavailableException("The log store is unavailable; try again later.", error));
            return;
        }

        telemetry.Ingested(plan.Outcomes);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(plan.Outcomes[i]);
        }

        foreach (var stream in plan.Streams.Where(s => s.ReportChanges > 0))
        {
            reports.Notify(stream.AnalysisId);
        }

        if (plan.Inserts.Count > 0)
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
