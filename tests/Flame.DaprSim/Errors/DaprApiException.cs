using System.Text.Json;
using System.Text.Json.Nodes;

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

using Microsoft.AspNetCore.Http;

namespace Flame.DaprSim.Errors;

/// <summary>
/// One error of the Dapr API, with both faces daprd gives it: a gRPC status (with a google.rpc.ErrorInfo detail in
/// <c>grpc-status-details-bin</c>) and an HTTP status with a JSON body <c>{"errorCode","message"[,"details"]}</c>.
/// Legacy errors (daprd: pkg/messages/api_error.go, <c>APIError</c>) carry no details; standardized errors
/// (dapr/kit errors.Error, built in daprd: pkg/api/errors) add the ErrorInfo with a <c>DAPR_*</c> reason.
/// </summary>
public sealed class DaprApiException : Exception
{
    /// <summary>The ErrorInfo domain of every Dapr error (dapr/kit: errors/errors.go <c>Domain</c>).</summary>
    public const string Domain = "dapr.io";

    public DaprApiException(StatusCode grpcCode, int httpStatus, string errorCode, string message, string? reason = null, IReadOnlyDictionary<string, string>? metadata = null)
        : base(message)
    {
        GrpcCode = grpcCode;
        HttpStatus = httpStatus;
        ErrorCode = errorCode;
        Reason = reason;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    public StatusCode GrpcCode { get; }

    public int HttpStatus { get; }

    /// <summary>The legacy <c>ERR_*</c> code of the HTTP body.</summary>
    public string ErrorCode { get; }

    /// <summary>The ErrorInfo reason (<c>DAPR_*</c>); null for legacy errors without details.</summary>
    public string? Reason { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The HTTP body daprd writes (daprd: pkg/api/http/responses.go <c>respondWithError</c>).</summary>
    public string ToJson()
    {
        var body = new JsonObject { ["errorCode"] = ErrorCode, ["message"] = Message };
        if (Reason is not null)
        {
            var metadata = new JsonObject();
            foreach (var (key, value) in Metadata)
            {
                metadata[key] = value;
            }

            body["details"] = new JsonArray(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                ["reason"] = Reason,
                ["domain"] = Domain,
                ["metadata"] = metadata,
            });
        }

        return body.ToJsonString(GoJson);
    }

    public Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = HttpStatus;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(ToJson(), context.RequestAborted);
    }

    /// <summary>The gRPC face: status code and message, plus the rich status with its ErrorInfo when standardized.</summary>
    public RpcException ToRpcException()
    {
        var trailers = new Grpc.Core.Metadata();
        if (Reason is not null)
        {
            var info = new Google.Rpc.ErrorInfo { Reason = Reason, Domain = Domain };
            info.Metadata.Add(new Dictionary<string, string>(Metadata));
            var status = new Google.Rpc.Status { Code = (int)GrpcCode, Message = Message };
            status.Details.Add(Any.Pack(info));
            trailers.Add("grpc-status-details-bin", status.ToByteArray());
        }

        return new RpcException(new Status(GrpcCode, Message), trailers);
    }

    /// <summary>How Go's grpc status error prints (<c>rpc error: code = X desc = Y</c>), which daprd embeds in messages.</summary>
    public static string GoRpcError(StatusCode code, string message) => $"rpc error: code = {code} desc = {message}";

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Go's encoding/json escapes only <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> (not quotes like <c>'</c>).</summary>
    private static readonly JsonSerializerOptions GoJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
