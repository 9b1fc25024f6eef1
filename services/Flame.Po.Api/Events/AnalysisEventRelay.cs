using System.Text.Json;
using Flame.Po.Api.Contracts;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.State;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Events;

/// <summary>
/// The Api's subscription to <c>analysis-events</c>: the Dapr sidecar (or the embedded bus in <c>--target all</c>)
/// posts to <see cref="Route"/>. It only hands the event to the open streams, so it
/// always acknowledges; a message that is not an analysis event is dropped, not retried.
/// </summary>
public sealed class AnalysisEventRelay(AnalysisEventHub hub, ILogger<AnalysisEventRelay> logger) : ISubscriber
{
    public const string Route = "/events/api/analysis-events";

    public Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken)
    {
        AnalysisEvent? analysisEvent;
        try
        {
            analysisEvent = data.Deserialize<AnalysisEvent>(StateJson.Options);
        }
        catch (JsonException e)
        {
            logger.LogWarning("A message on analysis-events is not an analysis event: {Reason}", e.Message);
            return Task.FromResult(EventOutcome.Drop);
        }

        if (analysisEvent is null)
        {
            return Task.FromResult(EventOutcome.Drop);
        }

        hub.Publish(AnalysisEventMessage.Of(analysisEvent));
        return Task.FromResult(EventOutcome.Success);
    }
}
