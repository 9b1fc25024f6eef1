using Dapr.Client.Autogen.Grpc.v1;

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

namespace Flame.DaprSim.Api;

/// <summary>
/// Method descriptors of the <c>dapr.proto.runtime.v1.Dapr</c> service (daprd: dapr/proto/runtime/v1/dapr.proto) for the
/// calls the simulator serves. Dapr.Protos ships the messages and a client, no server base, so the server binds these.
/// </summary>
public static class DaprGrpcMethods
{
    public const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    public static readonly Method<GetStateRequest, GetStateResponse> GetState = Unary("GetState", GetStateRequest.Parser, GetStateResponse.Parser);

    public static readonly Method<GetBulkStateRequest, GetBulkStateResponse> GetBulkState = Unary("GetBulkState", GetBulkStateRequest.Parser, GetBulkStateResponse.Parser);

    public static readonly Method<SaveStateRequest, Empty> SaveState = Unary("SaveState", SaveStateRequest.Parser, Empty.Parser);

    public static readonly Method<DeleteStateRequest, Empty> DeleteState = Unary("DeleteState", DeleteStateRequest.Parser, Empty.Parser);

    public static readonly Method<DeleteBulkStateRequest, Empty> DeleteBulkState = Unary("DeleteBulkState", DeleteBulkStateRequest.Parser, Empty.Parser);

    public static readonly Method<ExecuteStateTransactionRequest, Empty> ExecuteStateTransaction = Unary("ExecuteStateTransaction", ExecuteStateTransactionRequest.Parser, Empty.Parser);

    public static readonly Method<PublishEventRequest, Empty> PublishEvent = Unary("PublishEvent", PublishEventRequest.Parser, Empty.Parser);

    public static readonly Method<GetMetadataRequest, GetMetadataResponse> GetMetadata = Unary("GetMetadata", GetMetadataRequest.Parser, GetMetadataResponse.Parser);

    public static readonly Method<SetMetadataRequest, Empty> SetMetadata = Unary("SetMetadata", SetMetadataRequest.Parser, Empty.Parser);

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name, MessageParser<TRequest> request, MessageParser<TResponse> response)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, ServiceName, name, Marshallers.Create(m => m.ToByteArray(), request.ParseFrom), Marshallers.Create(m => m.ToByteArray(), response.ParseFrom));
}
