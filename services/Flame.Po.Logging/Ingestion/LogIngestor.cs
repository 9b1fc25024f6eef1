using System.Threading.Channels;
using Flame.Po.Core.Contracts;
using Microsoft.Extensions.Options;

namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// Accepts streamed lines: each is cleaned and fingerprinted here, queued, and answered once the
/// <see cref="LogBatchWriter"/> has committed the batch holding it, so an acknowledged line is durable. Lines that
/// arrive together share one transaction and one commit (group commit); a lone line is written at once.
/// The Hub is never called here: its delivery is durable and asynchronous, so a Hub outage never fails ingestion.
/// </summary>
public sealed class LogIngestor(IOptions<LoggingSettings> settings, TimeProvider time)
{
    public const string SourceAnalysis = "analysis";

    // Bounded, so a database slower than the clients makes callers wait instead of growing memory without end.
    private readonly Channel<PendingLine> _queue = Channel.CreateBounded<PendingLine>(new BoundedChannelOptions(8192)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    internal ChannelReader<PendingLine> Queue => _queue.Reader;

    public async Task<IngestResult> IngestAsync(StreamLogCommand line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        var pending = new PendingLine(line, StoredText.Of(line.Log, settings.Value.MessageMaxChars), LineFingerprint.Of(line), time.GetUtcNow());
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new LogStoreUnavailableException("The logging service is shutting down.");
        }

        // A caller that gives up may still find its line stored; it was never acknowledged, so a retry is safe.
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>No more lines are accepted (shutdown); queued ones are still written or failed by the writer.</summary>
    internal void Complete() => _queue.Writer.TryComplete();
}

/// <summary>The log store cannot take lines now (database down, shutdown); the caller should retry later.</summary>
public sealed class LogStoreUnavailableException : Exception
{
    public LogStoreUnavailableException(string message)
        : base(message)
    {
    }

    public LogStoreUnavailableException()
    {
    }

    public LogStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
