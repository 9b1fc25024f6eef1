using System.Net;
using System.Net.Http.Json;
using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.State;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// Publishes through the sidecar (<c>POST /v1.0/publish/{pubsub}/{topic}</c>, reference/dapr.md §2.3). The body
/// is plain JSON with content type <c>application/json</c>; Dapr wraps it in the CloudEvent envelope.
/// </summary>
public sealed class DaprEventPublisher(HttpClient sidecar) : IEventPublisher
{
    public async Task PublishAsync<T>(string topic, T data, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(data, options: StateJson.Options);
        HttpResponseMessage response;
        try
        {
            response = await sidecar.PostAsync($"v1.0/publish/{Topics.PubSubName}/{Uri.EscapeDataString(topic)}", content, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new EventPublishException($"Dapr sidecar unreachable while publishing to '{topic}': {e.Message}", e);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var error = await DaprError.ReadAsync(response, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                // Scoping or a missing component is a deployment error, not a passing fault.
                throw new InvalidOperationException($"Publishing to '{topic}' is not possible: {error.Describe(response.StatusCode)}");
            }

            throw new EventPublishException($"Publishing to '{topic}' failed: {error.Describe(response.StatusCode)}");
        }
    }
}
