using System.Net;

namespace Flame.Po.Integrations;

/// <summary>
/// The dependency answered with a 4xx that retrying will not fix. The message carries the status code and the
/// dependency's error text, never a secret.
/// </summary>
public sealed class IntegrationRejectedException : Exception
{
    public IntegrationRejectedException()
    {
    }

    public IntegrationRejectedException(string message)
        : base(message)
    {
    }

    public IntegrationRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IntegrationRejectedException(string dependency, HttpStatusCode statusCode, string message)
        : base(message)
    {
        Dependency = dependency;
        StatusCode = statusCode;
    }

    public string? Dependency { get; }

    public HttpStatusCode StatusCode { get; }
}
