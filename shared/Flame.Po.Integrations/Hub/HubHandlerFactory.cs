namespace Flame.Po.Integrations.Hub;

/// <summary>Skeleton; implemented next.</summary>
internal static class HubHandlerFactory
{
    public static HttpMessageHandler Create(IServiceProvider provider) => new SocketsHttpHandler();
}
