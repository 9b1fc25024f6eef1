using Flame.Po.Core;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.Faults;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.State;
using Flame.Po.Lifecycle.Analyses;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// Publishes the events a transition wrote into the record, then clears them with a compare-and-swap. A crash
/// in between republishes the same event ids, which consumers drop: at-least-once delivery, exactly-once effect.
/// </summary>
public sealed class EventOutbox(AnalysisRepository repository, IEventPublisher publisher, FaultPoints faults, ILogger<EventOutbox> logger)
{
    public async Task<StoredAnalysis> FlushAsync(StoredAnalysis stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Record.PendingEvents.Count == 0)
        {
            return stored;
        }

        try
        {
            await PublishAsync(stored.Record.PendingEvents, cancellationToken);
            var flushed = await repository.SaveAsync(stored, stored.Record with { PendingEvents = [] }, cancellationToken);
            foreach (var status in stored.Record.PendingEvents.Select(e => e.To).Distinct(StringComparer.Ordinal))
            {
                faults.Reach(LifecycleFaultPoints.AfterFlushEvents(status));
            }

            return flushed;
        }
        catch (StateConflictException)
        {
            return stored;
        }
        catch (EventPublishException error)
        {
            logger.LogWarning(error, "Publishing events of analysis {AnalysisId} failed; they stay in its outbox", stored.Record.AnalysisId);
            return stored;
        }
    }

    public async Task PublishAsync(IEnumerable<AnalysisEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var analysisEvent in events)
        {
            await publisher.PublishAsync(Topics.AnalysisEvents, analysisEvent, cancellationToken);
        }
    }
}
