using Flame.Po.Dapr.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flame.Po.Dapr;

public static class BuildingBlockExtensions
{
    /// <summary>
    /// A job run on a schedule: by a <c>PeriodicTimer</c> in <c>--target all</c>, by the Dapr cron input binding
    /// <paramref name="name"/> (<c>POST /{name}</c>) in Dapr mode.
    /// </summary>
    public static IServiceCollection AddPeriodicJob<TJob>(this IServiceCollection services, string name, Func<IServiceProvider, TimeSpan> interval)
        where TJob : class, IPeriodicJob
    {
        services.TryAddScoped<TJob>();
        return services.AddSingleton(new PeriodicJobRegistration(name, typeof(TJob), interval));
    }
}
