using Flame.Po.Core.Contracts;

namespace Flame.Po.Logging.Ingestion;

/// <summary>A validated line waiting for the batch that stores it; its caller awaits <see cref="Completion"/>.</summary>
public sealed class PendingLine(StreamLogCommand line, string message, byte[] fingerprint, DateTimeOffset receivedAt)
{
    public StreamLogCommand Line { get; } = line;

    /// <summary>The text as stored (cut and cleaned by <see cref="StoredText"/>).</summary>
    public string Message { get; } = message;

    public byte[] Fingerprint { get; } = fingerprint;

    public DateTimeOffset ReceivedAt { get; } = receivedAt;

    public TaskCompletionSource<IngestResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
