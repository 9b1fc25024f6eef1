using System.Net;

using Flame.Po.Kubernetes.Models;

namespace Flame.Po.Kubernetes.Client;

/// <summary>A non-success answer of the API server, with its <c>Status</c> (reason, code, causes).</summary>
public class KubernetesApiException : Exception
{
    public KubernetesApiException(HttpStatusCode statusCode, KubernetesStatus status)
        : base($"Kubernetes API {(int)statusCode} {status.Reason}: {status.Message}")
    {
        StatusCode = statusCode;
        Status = status;
    }

    public KubernetesApiException()
        : this(HttpStatusCode.InternalServerError, new KubernetesStatus())
    {
    }

    public KubernetesApiException(string message)
        : base(message)
    {
        Status = new KubernetesStatus { Message = message };
    }

    public KubernetesApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = new KubernetesStatus { Message = message };
    }

    public HttpStatusCode StatusCode { get; }
    public KubernetesStatus Status { get; }
    public string? Reason => Status.Reason;

    internal static KubernetesApiException For(HttpStatusCode code, KubernetesStatus status) => (int)code switch
    {
        404 => new KubernetesNotFoundException(code, status),
        409 => new KubernetesConflictException(code, status),
        410 => new KubernetesGoneException(code, status),
        422 => new KubernetesInvalidException(code, status),
        _ => new KubernetesApiException(code, status),
    };
}

/// <summary>404: the object (or namespace) does not exist.</summary>
public sealed class KubernetesNotFoundException(HttpStatusCode statusCode, KubernetesStatus status) : KubernetesApiException(statusCode, status);

/// <summary>409: <see cref="IsAlreadyExists"/> on create, otherwise a stale resourceVersion or an apply conflict.</summary>
public sealed class KubernetesConflictException(HttpStatusCode statusCode, KubernetesStatus status) : KubernetesApiException(statusCode, status)
{
    public bool IsAlreadyExists => Status.Reason == "AlreadyExists";
}

/// <summary>410: a resourceVersion or continue token too old; list again.</summary>
public sealed class KubernetesGoneException(HttpStatusCode statusCode, KubernetesStatus status) : KubernetesApiException(statusCode, status);

/// <summary>422: validation failed; <see cref="KubernetesStatus.Details"/> lists the causes.</summary>
public sealed class KubernetesInvalidException(HttpStatusCode statusCode, KubernetesStatus status) : KubernetesApiException(statusCode, status)
{
    public IReadOnlyList<StatusCause> Causes => Status.Details?.Causes ?? [];
}
