using Dapr;
using Dapr.Client;
using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.State;
using Grpc.Core;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// Publishes through the sidecar with the SDK's <see cref="DaprClient.PublishEventAsync{TData}(string, string, TData, CancellationToken)"/>.
/// The data goes out as snake_case JSON (<see cref="StateJson"/>), which daprd wraps in a CloudEvent. A refused
/// component or topic (scoping) is a deployment error, not a passing fault.
/// </summary>
public sealed class DaprEventPublisher(DaprClient dapr) : IEventPublisher
{
    public async Task PublishAsync<T>(string topic, T data, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.PublishEventAsync(Topics.PubSubName, topic, StateJson.ToElement(data), cancellationToken);
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.PermissionDenied or StatusCode.NotFound or StatusCode.InvalidArgument } rpc)
        {
            throw new InvalidOperationException($"Publishing to '{topic}' is not possible: {rpc.StatusCode} {rpc.Status.Detail}", e);
        }
        catch (DaprException e)
        {
            throw new EventPublishException($"Publishing to '{topic}' failed: {e.InnerException?.Message ?? e.Message}", e);
        }
    }
}
