using System.Net;
using System.Text.Json;

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>What a failed Kubernetes request means to the lifecycle.</summary>
public enum KubernetesFailure
{
    /// <summary>Not an answer of the API server we act on (transport error, timeout, 5xx, 403, …).</summary>
    Other,

    /// <summary>404: the object (or namespace) does not exist.</summary>
    NotFound,

    /// <summary>409 with reason <c>AlreadyExists</c>: a create found the name taken.</summary>
    AlreadyExists,

    /// <summary>409 otherwise: a stale <c>resourceVersion</c>, or a delete precondition (uid) that no longer holds.</summary>
    Conflict,

    /// <summary>410: a resourceVersion or continue token too old; list again.</summary>
    Gone,

    /// <summary>422: the object failed validation.</summary>
    Invalid,
}

/// <summary>
/// The one place that reads the official client's <see cref="HttpOperationException"/>: its status code and the
/// <c>Status</c> body the API server sends with every failure (reason, message, causes).
/// </summary>
public static class KubernetesErrors
{
    public static KubernetesFailure Classify(Exception error) => error switch
    {
        HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound } => KubernetesFailure.NotFound,
        HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict } e =>
            StatusOf(e)?.Reason == "AlreadyExists" ? KubernetesFailure.AlreadyExists : KubernetesFailure.Conflict,
        HttpOperationException { Response.StatusCode: HttpStatusCode.Gone } => KubernetesFailure.Gone,
        HttpOperationException { Response.StatusCode: HttpStatusCode.UnprocessableEntity } => KubernetesFailure.Invalid,
        _ => KubernetesFailure.Other,
    };

    /// <summary>True for an error answer of the API server (as opposed to a transport failure).</summary>
    public static bool IsApiError(Exception error) => error is HttpOperationException;

    /// <summary>The API server's <c>Status</c> of a failed request, or null when the body is none (a proxy answered).</summary>
    public static V1Status? StatusOf(HttpOperationException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var body = error.Response?.Content;
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return KubernetesJson.Deserialize<V1Status>(body) is { Kind: "Status" } status ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>"Kubernetes API 422 Invalid: …" — for logs and problem details, never with a request body.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is not HttpOperationException { Response: { } response } operation)
        {
            return error.Message;
        }

        var status = StatusOf(operation);
        var code = (int)response.StatusCode;
        var message = status?.Message ?? Truncate(response.Content);
        return $"Kubernetes API {code} {status?.Reason ?? response.StatusCode.ToString()}: {message}";
    }

    private static string Truncate(string? text) => text is null ? "" : text.Length > 1000 ? text[..1000] : text;
}
