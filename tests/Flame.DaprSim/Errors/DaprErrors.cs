using Grpc.Core;

namespace Flame.DaprSim.Errors;

/// <summary>
/// The errors the simulated API returns, with daprd's codes and messages (daprd: pkg/api/errors/state.go,
/// pkg/api/errors/pubsub.go, pkg/messages/predefined.go, pkg/messages/errorcodes/errorcodes.go).
/// </summary>
public static class DaprErrors
{
    private static Dictionary<string, string>? AppMetadata(string appId) =>
        appId.Length > 0 ? new Dictionary<string, string> { ["appID"] = appId } : null;

    // State (pkg/api/errors/state.go). The HTTP API passes the app id, the gRPC API does not.
    public static DaprApiException StateStoreNotConfigured(string store, string appId = "") =>
        new(StatusCode.FailedPrecondition, 500, "ERR_STATE_STORE_NOT_CONFIGURED", $"state store {store} is not configured", "DAPR_STATE_NOT_CONFIGURED", AppMetadata(appId));

    public static DaprApiException StateStoreNotFound(string store, string appId = "") =>
        new(StatusCode.InvalidArgument, 400, "ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found", "DAPR_STATE_NOT_FOUND", AppMetadata(appId));

    public static DaprApiException IllegalKey(string key) =>
        new(StatusCode.InvalidArgument, 400, "ERR_MALFORMED_REQUEST", $"input key/keyPrefix '{key}' can't contain '||'", "DAPR_STATE_ILLEGAL_KEY");

    // Store failures (pkg/api/grpc/grpc.go getStateErrorCode; pkg/api/http/http.go etagError: 409 mismatch, 400 invalid).
    public static DaprApiException StateSave(string store, StateStoreException failure) =>
        new(failure.GrpcCode, failure.HttpStatus, "ERR_STATE_SAVE", $"failed saving state in state store {store}: {failure.Message}");

    public static DaprApiException StateDelete(string key, StateStoreException failure) =>
        new(failure.GrpcCode, failure.HttpStatus, "ERR_STATE_DELETE", $"failed deleting state with key {key}: {failure.Message}");

    public static DaprApiException StateBulkDelete(string store, StateStoreException failure) =>
        new(failure.GrpcCode, failure.HttpStatus, "ERR_STATE_BULK_DELETE", $"failed deleting state in state store {store}: {failure.Message}");

    /// <summary>Any transaction failure, ETag conflicts included, is Internal / 500 (ExecuteStateTransaction in both APIs).</summary>
    public static DaprApiException StateTransaction(string message) =>
        new(StatusCode.Internal, 500, "ERR_STATE_TRANSACTION", $"error while executing state transaction: {message}");

    public static DaprApiException StateKeyEmpty() =>
        new(StatusCode.InvalidArgument, 400, "ERR_STATE_SAVE", "state key cannot be empty");

    public static DaprApiException NotSupportedStateOperation(string operation, bool http) =>
        new(StatusCode.Unimplemented, http ? 400 : 500, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {operation} not supported");

    public static DaprApiException MalformedRequest(string detail) =>
        new(StatusCode.InvalidArgument, 400, "ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {detail}");

    // Pub/sub (pkg/api/errors/pubsub.go).
    public static DaprApiException PubSubNotFound(string pubsub) =>
        new(StatusCode.InvalidArgument, 404, "ERR_PUBSUB_NOT_FOUND", $"pubsub {pubsub} is not found", "DAPR_PUBSUB_NOT_FOUND");

    public static DaprApiException PubSubNameEmpty() =>
        new(StatusCode.InvalidArgument, 404, "ERR_PUBSUB_EMPTY", "pubsub name is empty", "DAPR_PUBSUB_NAME_EMPTY");

    public static DaprApiException TopicEmpty(string pubsub) =>
        new(StatusCode.InvalidArgument, 404, "ERR_TOPIC_NAME_EMPTY", "topic is empty in pubsub " + pubsub, "DAPR_PUBSUB_TOPIC_NAME_EMPTY");

    public static DaprApiException PubSubMetadata(string detail) =>
        new(StatusCode.InvalidArgument, 400, "ERR_PUBSUB_REQUEST_METADATA", $"failed deserializing metadata. Error: {detail}", "DAPR_PUBSUB_METADATA_DESERIALIZATION");

    public static DaprApiException CloudEventCreation(string appId, string detail) =>
        new(StatusCode.InvalidArgument, 500, "ERR_PUBSUB_CLOUD_EVENTS_SER", "cannot create cloudevent", "DAPR_PUBSUB_CLOUD_EVENT_CREATION",
            new Dictionary<string, string> { ["appID"] = appId, ["error"] = detail });

    // Service invocation (pkg/messages/predefined.go).
    public static DaprApiException DirectInvoke(string target, string detail, int httpStatus = 500) =>
        new(StatusCode.Internal, httpStatus, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {target}, err: {detail}");

    public static DaprApiException DirectInvokeNoAppId() =>
        new(StatusCode.NotFound, 404, "ERR_DIRECT_INVOKE", "failed getting app id either from the URL path or the header dapr-app-id");

    // Health (pkg/messages/predefined.go).
    public static DaprApiException HealthNotReady(string targets) =>
        new(StatusCode.Internal, 500, "ERR_HEALTH_NOT_READY", $"dapr is not ready: {targets}");

    public static DaprApiException OutboundHealthNotReady() =>
        new(StatusCode.Internal, 500, "ERR_OUTBOUND_HEALTH_NOT_READY", "dapr outbound is not ready");

    public static DaprApiException HealthAppIdNotMatch() =>
        new(StatusCode.Internal, 500, "ERR_HEALTH_APPID_NOT_MATCH", "dapr app-id does not match");

    // Workflows (pkg/messages/predefined.go, pkg/messages/errorcodes/errorcodes.go). Messages embed the Go error chain of
    // pkg/runtime/wfengine/client.go and durabletask-go backend/client.go.
    public static DaprApiException StartWorkflow(string workflowName, string detail) =>
        new(StatusCode.Internal, 500, "ERR_START_WORKFLOW", $"error starting workflow '{workflowName}': {detail}");

    public static DaprApiException WorkflowInstanceNotFound(string instanceId, string? goExtra = null) =>
        new(StatusCode.NotFound, 404, "ERR_INSTANCE_ID_NOT_FOUND", $"unable to find workflow with the provided instance ID: {instanceId}{goExtra}");

    public static DaprApiException InstanceIdTooLong(int max) =>
        new(StatusCode.InvalidArgument, 400, "ERR_INSTANCE_ID_TOO_LONG", $"workflow instance ID exceeds the max length of {max} characters");

    public static DaprApiException InvalidInstanceId(string instanceId) =>
        new(StatusCode.InvalidArgument, 400, "ERR_INSTANCE_ID_INVALID", $"workflow instance ID '{instanceId}' is invalid: only alphanumeric and underscore characters are allowed");

    public static DaprApiException RaiseEventWorkflow(string instanceId, string detail) =>
        new(StatusCode.Internal, 500, "ERR_RAISE_EVENT_WORKFLOW", $"error raising event on workflow '{instanceId}': {detail}");

    public static DaprApiException PauseWorkflow(string instanceId, string detail) =>
        new(StatusCode.Internal, 500, "ERR_PAUSE_WORKFLOW", $"error pausing workflow {instanceId}: {detail}");

    public static DaprApiException ResumeWorkflow(string instanceId, string detail) =>
        new(StatusCode.Internal, 500, "ERR_RESUME_WORKFLOW", $"error resuming workflow {instanceId}: {detail}");

    public static DaprApiException PurgeWorkflow(string instanceId, string detail) =>
        new(StatusCode.Internal, 500, "ERR_PURGE_WORKFLOW", $"error purging workflow {instanceId}: {detail}");

    public static DaprApiException BodyRead(string detail) =>
        new(StatusCode.InvalidArgument, 400, "ERR_BODY_READ", $"failed to read request body: {detail}");

    /// <summary>
    /// The API token check of the gRPC API (daprd: pkg/api/grpc/auth.go via pkg/messaging/v1/util.go
    /// <c>ErrorFromHTTPResponseCode(401, detail)</c>): Unauthenticated, message "Unauthorized", an ErrorInfo with the HTTP code.
    /// </summary>
    public static DaprApiException Unauthenticated(string detail) =>
        new(StatusCode.Unauthenticated, 401, "Unauthorized", "Unauthorized", "Unauthorized",
            new Dictionary<string, string> { ["http.code"] = "401", ["http.error_message"] = detail.Length >= 63 ? detail[..63] : detail });
}
