using System.Text.Json;
using Flame.Po.Api.Contracts;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.PubSub;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Events;

/// <summary>
/// The Api's subscription to <c>analysis-events</c>: the embedded bus calls it in <c>--target all</c>, the Dapr
/// sidecar posts to <see cref="Route"/> in <c>--target api</c>. It only hands the event to the open streams, so it
/// always acknowledges; a message that is not an analysis event is dropped, not retried.
/// </summary>
public sealed class AnalysisEventRelay(AnalysisEventHub hub, ILogger<AnalysisEventRelay> logger) : ISubscriber
{
    public const string Route = "/events/api/analysis-events";

    public Task<EventOutcome> HandleAsync(CloudEvent message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        AnalysisEvent analysisEvent;
        try
        {
            analysisEvent = message.GetData<AnalysisEvent>();
        }
        catch (JsonException e)
        {
            logger.LogWarning("Message {MessageId} on {Topic} is not an analysis event: {Reason}", message.Id, message.Topic, e.Message);
            return Task.FromResult(EventOutcome.Drop);
        }

        hub.Publish(AnalysisEventMessage.Of(analysisEvent));
        return Task.FromResult(EventOutcome.Success);
    }
}
