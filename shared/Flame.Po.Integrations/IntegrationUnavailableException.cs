namespace Flame.Po.Integrations;

/// <summary>The dependency (Keycloak or Hub) could not be reached or answered 5xx/429 after retries, or the circuit is open.</summary>
public sealed class IntegrationUnavailableException : Exception
{
    public IntegrationUnavailableException()
    {
    }

    public IntegrationUnavailableException(string message)
        : base(message)
    {
    }

    public IntegrationUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IntegrationUnavailableException(string dependency, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Dependency = dependency;
    }

    /// <summary><c>keycloak</c> or <c>hub</c>.</summary>
    public string? Dependency { get; }
}
