using System.Collections.Concurrent;
using System.Threading.Channels;
using Flame.Po.Api.Contracts;
using Flame.Po.Api.Settings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Api.Events;

/// <summary>
/// Fans <c>analysis-events</c> out to the open <c>GET /po/events</c> streams. Publishing never waits: each
/// stream has a bounded buffer, and a stream whose buffer is full is dropped (its connection aborted) rather
/// than slowing down delivery to the others. Redelivered messages (pub/sub is at-least-once) are sent once.
/// </summary>
public sealed class AnalysisEventHub(IOptions<EventStreamSettings> settings, ILogger<AnalysisEventHub> logger)
{
    /// <summary>Event ids remembered to drop redeliveries; far more than one tick produces.</summary>
    private const int RememberedIds = 4096;

    private readonly ConcurrentDictionary<long, EventStreamSubscription> _subscriptions = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();
    private readonly Lock _seenGate = new();
    private long _nextId;

    /// <summary>Streams open on this replica, what <c>EVENTS_MAX_CLIENTS</c> limits (tests read it to see one connect or go).</summary>
    public int Count => _subscriptions.Count;

    /// <summary>A new stream, or null when <see cref="EventStreamSettings.MaxClients"/> are open already.</summary>
    /// <param name="onDropped">Called once if the stream falls behind and is dropped (e.g. aborts the connection).</param>
    public EventStreamSubscription? TrySubscribe(Action onDropped)
    {
        var limits = settings.Value;
        if (_subscriptions.Count >= limits.MaxClients)
        {
            return null;
        }

        var subscription = new EventStreamSubscription(Interlocked.Increment(ref _nextId), limits.ClientBuffer, onDropped, Remove);
        _subscriptions[subscription.Id] = subscription;
        return subscription;
    }

    /// <summary>Hands the event to every stream without waiting; false when it was a redelivery.</summary>
    public bool Publish(AnalysisEventMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!FirstDelivery(message.EventId))
        {
            return false;
        }

        foreach (var subscription in _subscriptions.Values)
        {
            if (!subscription.TryWrite(message))
            {
                logger.LogWarning("Event stream {Stream} dropped: it fell {Buffer} events behind", subscription.Id, settings.Value.ClientBuffer);
                subscription.Drop();
            }
        }

        return true;
    }

    private void Remove(EventStreamSubscription subscription) => _subscriptions.TryRemove(subscription.Id, out _);

    private bool FirstDelivery(string eventId)
    {
        lock (_seenGate)
        {
            if (!_seen.Add(eventId))
            {
                return false;
            }

            _seenOrder.Enqueue(eventId);
            if (_seenOrder.Count > RememberedIds)
            {
                _seen.Remove(_seenOrder.Dequeue());
            }

            return true;
        }
    }
}

/// <summary>One open stream: a bounded buffer the hub writes to and the HTTP response reads from.</summary>
public sealed class EventStreamSubscription : IDisposable
{
    private readonly Channel<AnalysisEventMessage> _buffer;
    private readonly Action _onDropped;
    private readonly Action<EventStreamSubscription> _remove;
    private int _dropped;

    internal EventStreamSubscription(long id, int capacity, Action onDropped, Action<EventStreamSubscription> remove)
    {
        Id = id;
        _onDropped = onDropped;
        _remove = remove;
        _buffer = Channel.CreateBounded<AnalysisEventMessage>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then answers false instead of discarding silently.
            SingleReader = true,
        });
    }

    public long Id { get; }

    /// <summary>Completes (no more events) when the stream was dropped.</summary>
    public ChannelReader<AnalysisEventMessage> Reader => _buffer.Reader;

    public bool IsDropped => Volatile.Read(ref _dropped) == 1;

    internal bool TryWrite(AnalysisEventMessage message) => _buffer.Writer.TryWrite(message);

    internal void Drop()
    {
        if (Interlocked.Exchange(ref _dropped, 1) == 0)
        {
            _remove(this);
            _buffer.Writer.TryComplete();
            _onDropped();
        }
    }

    public void Dispose()
    {
        _remove(this);
        _buffer.Writer.TryComplete();
    }
}
