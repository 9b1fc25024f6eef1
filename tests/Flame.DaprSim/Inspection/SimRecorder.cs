using System.Collections.Concurrent;

namespace Flame.DaprSim.Inspection;

/// <summary>What happened in the simulator, for tests and the log.</summary>
public sealed class SimRecorder
{
    private readonly ConcurrentQueue<PublishedMessage> _published = new();
    private readonly ConcurrentQueue<DeliveryRecord> _deliveries = new();
    private readonly ConcurrentQueue<InvocationRecord> _invocations = new();
    private readonly ConcurrentQueue<CronFire> _cronFires = new();

    public IReadOnlyList<PublishedMessage> Published => [.. _published];

    public IReadOnlyList<DeliveryRecord> Deliveries => [.. _deliveries];

    public IReadOnlyList<InvocationRecord> Invocations => [.. _invocations];

    public IReadOnlyList<CronFire> CronFires => [.. _cronFires];

    internal void Add(PublishedMessage record) => _published.Enqueue(record);

    internal void Add(DeliveryRecord record) => _deliveries.Enqueue(record);

    internal void Add(InvocationRecord record) => _invocations.Enqueue(record);

    internal void Add(CronFire record) => _cronFires.Enqueue(record);
}
