using Dapr.Workflow;
using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Dapr.Faults;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Integrations;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Apis;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Probing;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.StatusLoop;
using Flame.Po.Lifecycle.Transitions;
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
        builder.AddFlameIntegrations();
        services.AddSettings<StatusLoopSettings>(builder.Configuration);
        services.AddSettings<WorkloadSettings>(builder.Configuration);
        services.AddSettings<LifecycleSettings>(builder.Configuration);
        services.AddSettings<ClusterSettings>(builder.Configuration);
        services.AddSettings<ArchiveRetentionSettings>(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(AnalysisEndpoint.HttpClientName);

        services.TryAddSingleton<LifecycleTelemetry>();
        services.AddSingleton<ClusterConnection>();
        services.AddSingleton<AnalysisRepository>();
        services.AddSingleton<AnalysisArchive>();
        services.AddSingleton<ArchiveRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<ArchiveRetention>());
        services.AddSingleton<AnalysisEndpoint>();
        services.AddSingleton<PartnerStatusRelay>();
        services.AddSingleton<EventOutbox>();
        services.AddSingleton<StepExecutor>();
        services.AddSingleton<CreatesInFlight>();
        services.AddSingleton<AdvancingAnalyses>();
        services.AddSingleton<OrphanSweep>();
        services.AddSingleton<AdmissionControl>();
        builder.AddTransitions();
        services.AddSingleton<AnalysisReconciler>();
        services.AddSingleton<AnalysisCommands>();
        services.AddSingleton<AnalysisQueries>();
        services.AddSingleton<HistoryQueries>();
        services.AddSingleton<LiveLogQueries>();
        services.AddSingleton<PodQueries>();
        services.AddSingleton<CleanupCommands>();
        services.AddSingleton<ReconcileRequests>();
        services.AddHostedService<ReconcileRequestWorker>();
        services.AddScoped<AnalysisReportsSubscriber>();

        services.AddSingleton<StatusLoopHeartbeat>();
        services.AddPeriodicJob<StatusLoopJob>(StatusLoopJob.BindingName, sp => sp.GetRequiredService<IOptions<StatusLoopSettings>>().Value.Interval);
        services.AddHealthChecks()
            .AddCheck<StatusLoopHealthCheck>("status_loop", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<KubernetesHealthCheck>("kubernetes", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// Dapr mode: transitions run as Dapr workflows (the workflow runtime connects to the sidecar's gRPC port,
    /// <c>DAPR_GRPC_ENDPOINT</c>/<c>DAPR_GRPC_PORT</c>, with <c>DAPR_API_TOKEN</c>). <c>--target all</c>: the reconciler
    /// runs the same steps itself.
    /// </summary>
    private static void AddTransitions(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (!DaprBuildingBlocks.UsesDapr(builder.Configuration))
        {
            services.AddSingleton<ITransitionDriver, InlineTransitions>();
            return;
        }

        services.AddSingleton<TransitionSteps>();
        // The workflow and activity classes register themselves: Dapr.Workflow's source generator finds every
        // Workflow<,> and WorkflowActivity<,> in the assembly (registering them again only logs warnings).
        services.AddDaprWorkflow();
        services.AddSingleton<ITransitionDriver, WorkflowTransitions>();
    }

    /// <summary>The lifecycle's internal routes and its subscription to <c>analysis-reports</c>.</summary>
    public static IEndpointRouteBuilder MapLifecycleService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapLifecycleApi();
        endpoints.MapSubscription<AnalysisReportsSubscriber>(Topics.PubSubName, Topics.AnalysisReports, AnalysisReportsSubscriber.Route);
        return endpoints;
    }
}
