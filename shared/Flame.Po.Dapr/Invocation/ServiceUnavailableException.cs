namespace Flame.Po.Dapr.Invocation;

/// <summary>The target app of a service invocation is not running or cannot be reached.</summary>
public sealed class ServiceUnavailableException(string appId, string reason, Exception? inner = null)
    : Exception($"App '{appId}' is unavailable: {reason}", inner)
{
    public string AppId { get; } = appId;
}
