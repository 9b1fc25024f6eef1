using Flame.DaprSim.Sidecars;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.DaprSim.Workflows;

/// <summary>
/// The workflow API of every sidecar (on unless <see cref="DaprSimOptions.Workflows"/> is false): <c>TaskHubSidecarService</c>
/// on the gRPC port and <c>/v1.0/workflows/dapr/...</c> on the HTTP port, both behind the sidecar's API token, over the
/// engine of the sidecar's app id.
/// </summary>
public sealed class WorkflowFeature : ISidecarFeature
{
    public void ConfigureServices(IServiceCollection services, Sidecar sidecar)
    {
    }

    public void Map(WebApplication app, Sidecar sidecar)
    {
        app.MapGrpcService<WorkflowGrpcService>();
        var http = app.MapGroup("").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Connection.LocalPort == sidecar.GrpcPort ? Results.NotFound() : await next(context));
        WorkflowEndpoints.Map(http, sidecar);
    }
}
