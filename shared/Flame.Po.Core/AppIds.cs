namespace Flame.Po.Core;

/// <summary>
/// Dapr app-ids of the three services. They double as the names of the host's <c>--target</c> values and
/// as the "source" of the CloudEvents each service publishes.
/// </summary>
public static class AppIds
{
    public const string Api = "api";
    public const string Lifecycle = "lifecycle";
    public const string Logging = "logging";
}
