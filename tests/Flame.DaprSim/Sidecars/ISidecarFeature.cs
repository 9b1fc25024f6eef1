using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.DaprSim.Sidecars;

/// <summary>
/// An extra API of every simulated sidecar, served next to the built-in ones: services for its DI container and endpoints
/// on its HTTP port and gRPC port. The workflow API (<c>TaskHubSidecarService</c> on the gRPC port and
/// <c>/v1.0/workflows/dapr/...</c> on the HTTP port) is meant to plug in here.
/// </summary>
public interface ISidecarFeature
{
    void ConfigureServices(IServiceCollection services, Sidecar sidecar);

    /// <summary>Maps endpoints; gRPC services mapped here are served on the gRPC port, HTTP routes on the HTTP port.</summary>
    void Map(WebApplication app, Sidecar sidecar);
}
