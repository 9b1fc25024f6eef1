using Flame.Po.Dapr.Embedded;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.State;
using Flame.Po.Dapr.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flame.Po.Dapr;

public static class BuildingBlockExtensions
{
    /// <summary>
    /// The embedded implementations of all ports: PostgreSQL state store, in-process pub/sub and service
    /// invocation, and <c>PeriodicTimer</c> triggers. Requires <c>AddFlamePostgres</c>.
    /// </summary>
    public static IServiceCollection AddEmbeddedBuildingBlocks(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<BuildingBlockSettings>();
        services.AddOptions<EventBusSettings>();
        services.AddSingleton<IStateStore, PostgresStateStore>();
        services.AddSingleton<InProcessEventBus>();
        services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<InProcessEventBus>());
        services.AddHostedService(sp => sp.GetRequiredService<InProcessEventBus>());
        services.AddSingleton<IServiceInvoker, InProcessServiceInvoker>();
        services.AddHostedService<PeriodicTriggerService>();
        return services;
    }

    /// <summary>Declares that <paramref name="appId"/> runs in this process (so it can be invoked in process).</summary>
    public static IServiceCollection AddHostedApp(this IServiceCollection services, string appId) =>
        services.AddSingleton(new HostedApp(appId));

    public static IServiceCollection AddEventSubscription<THandler>(this IServiceCollection services, string pubSubName, string topic, string route)
        where THandler : class, ISubscriber
    {
        services.TryAddScoped<THandler>();
        return services.AddSingleton(new EventSubscription(pubSubName, topic, route, typeof(THandler)));
    }

    public static IServiceCollection AddPeriodicJob<TJob>(this IServiceCollection services, string name, Func<IServiceProvider, TimeSpan> interval)
        where TJob : class, IPeriodicJob
    {
        services.TryAddScoped<TJob>();
        return services.AddSingleton(new PeriodicJobRegistration(name, typeof(TJob), interval));
    }

    public static IServiceCollection AddInvocationMethod(
        this IServiceCollection services, string appId, HttpMethod method, string path,
        Func<IServiceProvider, InvocationRequest, CancellationToken, Task<InvocationResponse>> handler) =>
        services.AddSingleton(new InvocationMethod(appId, method, path, handler));
}
