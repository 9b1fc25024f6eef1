using Grpc.Core;

namespace Flame.DaprSim.Errors;

/// <summary>
/// Why a store operation failed, and the codes daprd maps it to: an ETag mismatch is gRPC Aborted / HTTP 409, an invalid
/// ETag InvalidArgument / 400 (daprd: pkg/api/grpc/grpc.go <c>getStateErrorCode</c>, pkg/api/http/http.go <c>etagError</c>),
/// anything else Internal / 500. Messages are those of components-contrib state/errors.go and state/postgresql/v2.
/// </summary>
public sealed class StateStoreException : Exception
{
    private StateStoreException(StateFailureKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public StateFailureKind Kind { get; }

    public static StateStoreException ETagMismatch() => new(StateFailureKind.ETagMismatch, "possible etag mismatch. error from state store");

    /// <summary>state.postgresql v2 answers a first-write save of an existing key without ETag with this (UPSERT … WHERE expired).</summary>
    public static StateStoreException NoItemUpdated() => new(StateFailureKind.Other, "no item was updated");

    public static StateStoreException Other(string message) => new(StateFailureKind.Other, message);

    public StatusCode GrpcCode => Kind switch
    {
        StateFailureKind.ETagMismatch => StatusCode.Aborted,
        StateFailureKind.ETagInvalid => StatusCode.InvalidArgument,
        _ => StatusCode.Internal,
    };

    public int HttpStatus => Kind switch
    {
        StateFailureKind.ETagMismatch => 409,
        StateFailureKind.ETagInvalid => 400,
        _ => 500,
    };
}

public enum StateFailureKind
{
    ETagMismatch,
    ETagInvalid,
    Other,
}
