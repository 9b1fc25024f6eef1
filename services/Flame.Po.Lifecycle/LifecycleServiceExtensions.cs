using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Integrations;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Probing;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.StatusLoop;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.ServiceDefaults.Health;
using Flame.Po.ServiceDefaults.Settings;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle;

public static class LifecycleServiceExtensions
{
    /// <summary>The lifecycle service: owner of analysis records, Kubernetes objects and the status loop.</summary>
    public static IHostApplicationBuilder AddLifecycleService(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHostedApp(AppIds.Lifecycle);
        builder.AddFlameIntegrations();
        services.AddSettings<StatusLoopSettings>(builder.Configuration);
        services.AddSettings<WorkloadSettings>(builder.Configuration);
        services.AddSettings<LifecycleSettings>(builder.Configuration);
        services.AddSettings<ClusterSettings>(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(AnalysisEndpoint.HttpClientName);

        services.AddSingleton<ClusterConnection>();
        services.AddSingleton<AnalysisRepository>();
        services.AddSingleton<AnalysisArchive>();
        services.AddSingleton<AnalysisEndpoint>();
        services.AddSingleton<PartnerStatusRelay>();
        services.AddSingleton<FaultPoints>();
        services.AddSingleton<EventOutbox>();
        services.AddSingleton<StepExecutor>();
        services.AddSingleton<AnalysisReconciler>();
        services.AddSingleton<AnalysisCommands>();
        services.AddSingleton<AnalysisQueries>();
        services.AddSingleton<CleanupCommands>();
        services.AddSingleton<ReconcileRequests>();
        services.AddHostedService<ReconcileRequestWorker>();
        LifecycleInvocations.Register(services);
        services.AddEventSubscription<AnalysisReportsSubscriber>(Topics.PubSubName, Topics.AnalysisReports, AnalysisReportsSubscriber.Route);

        services.AddSingleton<StatusLoopHeartbeat>();
        services.AddPeriodicJob<StatusLoopJob>(StatusLoopJob.BindingName, sp => sp.GetRequiredService<IOptions<StatusLoopSettings>>().Value.Interval);
        services.AddHealthChecks()
            .AddCheck<StatusLoopHealthCheck>("status_loop", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<KubernetesHealthCheck>("kubernetes", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    public static IEndpointRouteBuilder MapLifecycleService(this IEndpointRouteBuilder endpoints) => endpoints;
}
