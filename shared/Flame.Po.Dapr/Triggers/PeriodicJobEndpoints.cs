using Flame.Po.Dapr.Invocation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Dapr.Triggers;

/// <summary>
/// The routes of Dapr input bindings (Dapr docs, "Bindings"): daprd asks <c>OPTIONS /{name}</c> whether the app
/// takes the binding, then posts each trigger to <c>POST /{name}</c>. Reachable only on the app channel.
/// </summary>
public static class PeriodicJobEndpoints
{
    public static IEndpointRouteBuilder MapPeriodicJobs(this IEndpointRouteBuilder endpoints)
    {
        foreach (var job in endpoints.ServiceProvider.GetServices<PeriodicJobRegistration>())
        {
            endpoints.MapPost("/" + job.Name, (HttpContext context, CancellationToken cancellationToken) => RunAsync(job, context, cancellationToken))
                .RequireAppChannel().ExcludeFromDescription();
            endpoints.MapMethods("/" + job.Name, [HttpMethods.Options], () => TypedResults.Ok())
                .RequireAppChannel().ExcludeFromDescription();
        }

        return endpoints;
    }

    private static async Task<IResult> RunAsync(PeriodicJobRegistration job, HttpContext context, CancellationToken cancellationToken)
    {
        var instance = (IPeriodicJob)context.RequestServices.GetRequiredService(job.JobType);
        await instance.RunAsync(cancellationToken);
        return TypedResults.Ok();
    }
}
