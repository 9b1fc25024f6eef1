using Flame.DaprSim.Errors;
using Flame.DaprSim.Sidecars;

using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Flame.DaprSim.Api;

/// <summary>
/// The API token check of the gRPC port (daprd: pkg/api/grpc/auth.go): with DAPR_API_TOKEN set, every call needs metadata
/// <c>dapr-api-token</c> with that value, else Unauthenticated.
/// </summary>
public sealed class ApiTokenInterceptor : Interceptor
{
    private readonly Sidecar _sidecar;

    public ApiTokenInterceptor(Sidecar sidecar)
    {
        _sidecar = sidecar;
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (_sidecar.ApiToken is not { } expected)
        {
            return;
        }

        var token = context.RequestHeaders.Get("dapr-api-token")?.Value;
        if (token is null)
        {
            throw DaprErrors.Unauthenticated("missing api token in request metadata").ToRpcException();
        }

        if (token != expected)
        {
            throw DaprErrors.Unauthenticated("authentication error: api token mismatch").ToRpcException();
        }
    }
}
