using Dapr.Client.Autogen.Grpc.v1;

using Flame.DaprSim.Errors;
using Flame.DaprSim.Sidecars;
using Flame.DaprSim.State;

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Flame.DaprSim.Api;

/// <summary>
/// The gRPC API of one sidecar, <c>dapr.proto.runtime.v1.Dapr</c>, as Dapr.Client uses it for state, publishing and
/// metadata (daprd: pkg/api/grpc/grpc.go). Other methods answer Unimplemented. The handlers are virtual because
/// Grpc.AspNetCore binds only methods whose base definition is on the <c>BindServiceMethod</c> type.
/// </summary>
[BindServiceMethod(typeof(DaprGrpcService), nameof(BindService))]
public class DaprGrpcService
{
    private readonly Sidecar _sidecar;
    private readonly StateApi _state;
    private readonly PublishApi _publish;

    public DaprGrpcService(Sidecar sidecar)
    {
        _sidecar = sidecar;
        _state = new StateApi(sidecar);
        _publish = new PublishApi(sidecar);
    }

    public static void BindService(ServiceBinderBase binder, DaprGrpcService? service)
    {
        binder.AddMethod(DaprGrpcMethods.GetState, service is null ? null! : service.GetState);
        binder.AddMethod(DaprGrpcMethods.GetBulkState, service is null ? null! : service.GetBulkState);
        binder.AddMethod(DaprGrpcMethods.SaveState, service is null ? null! : service.SaveState);
        binder.AddMethod(DaprGrpcMethods.DeleteState, service is null ? null! : service.DeleteState);
        binder.AddMethod(DaprGrpcMethods.DeleteBulkState, service is null ? null! : service.DeleteBulkState);
        binder.AddMethod(DaprGrpcMethods.ExecuteStateTransaction, service is null ? null! : service.ExecuteStateTransaction);
        binder.AddMethod(DaprGrpcMethods.PublishEvent, service is null ? null! : service.PublishEvent);
        binder.AddMethod(DaprGrpcMethods.GetMetadata, service is null ? null! : service.GetMetadata);
        binder.AddMethod(DaprGrpcMethods.SetMetadata, service is null ? null! : service.SetMetadata);
    }

    public virtual Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context) => Run(() =>
    {
        var entry = _state.Get(request.StoreName, request.Key, http: false);
        var response = new GetStateResponse();
        if (entry is not null)
        {
            response.Data = ByteString.CopyFrom(entry.Value);
            response.Etag = entry.ETag;
            AddTtl(response.Metadata, entry);
        }

        return response;
    });

    public virtual Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context) => Run(() =>
    {
        var response = new GetBulkStateResponse();
        var results = _state.BulkGet(request.StoreName, request.Keys, http: false);
        foreach (var (key, entry) in results)
        {
            var item = new BulkStateItem { Key = key };
            if (entry is not null)
            {
                item.Data = ByteString.CopyFrom(entry.Value);
                item.Etag = entry.ETag;
                AddTtl(item.Metadata, entry);
            }

            response.Items.Add(item);
        }

        return response;
    });

    public virtual Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context) => Run(() =>
    {
        var items = request.States.Select(s => new SetRequest(s.Key, s.Value.ToByteArray(), s.Etag?.Value, Concurrency(s.Options), s.Metadata.ToDictionary())).ToList();
        _state.Save(request.StoreName, items, http: false);
        return new Empty();
    });

    public virtual Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context) => Run(() =>
    {
        _state.Delete(request.StoreName, request.Key, request.Etag?.Value, Concurrency(request.Options), http: false);
        return new Empty();
    });

    public virtual Task<Empty> DeleteBulkState(DeleteBulkStateRequest request, ServerCallContext context) => Run(() =>
    {
        _state.DeleteBulk(request.StoreName, request.States.Select(s => new DeleteRequest(s.Key, s.Etag?.Value, Concurrency(s.Options))).ToList());
        return new Empty();
    });

    public virtual Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context) => Run(() =>
    {
        var operations = new List<IStateOperation>();
        foreach (var operation in request.Operations)
        {
            var item = operation.Request ?? new StateItem();
            operations.Add(operation.OperationType switch
            {
                "upsert" => new SetRequest(item.Key, item.Value.ToByteArray(), item.Etag?.Value, Concurrency(item.Options), item.Metadata.ToDictionary()),
                "delete" => new DeleteRequest(item.Key, item.Etag?.Value, Concurrency(item.Options)),
                _ => throw DaprErrors.NotSupportedStateOperation(operation.OperationType, http: false),
            });
        }

        _state.Transact(request.StoreName, operations, http: false);
        return new Empty();
    });

    public virtual Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context) => Run(() =>
    {
        _publish.Publish(request.PubsubName, request.Topic, request.Data.ToByteArray(), request.DataContentType, request.Metadata.ToDictionary(),
            context.RequestHeaders.GetValue("traceparent"), context.RequestHeaders.GetValue("tracestate"));
        return new Empty();
    });

    public virtual Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context) => Run(() => SidecarMetadata.ToProto(_sidecar));

    public virtual Task<Empty> SetMetadata(SetMetadataRequest request, ServerCallContext context) => Run(() =>
    {
        if (request.Key.Length > 0)
        {
            _sidecar.ExtendedMetadata[request.Key] = request.Value;
        }

        return new Empty();
    });

    private static void AddTtl(Google.Protobuf.Collections.MapField<string, string> metadata, StateEntry entry)
    {
        if (entry.ExpiresAt is { } expires)
        {
            metadata["ttlExpireTime"] = PubSub.CloudEvents.Rfc3339(expires.ToUniversalTime());
        }
    }

    private static string? Concurrency(StateOptions? options) => options?.Concurrency switch
    {
        StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite => "first-write",
        StateOptions.Types.StateConcurrency.ConcurrencyLastWrite => "last-write",
        _ => null,
    };

    private static Task<T> Run<T>(Func<T> call)
    {
        try
        {
            return Task.FromResult(call());
        }
        catch (DaprApiException e)
        {
            throw e.ToRpcException();
        }
    }
}
