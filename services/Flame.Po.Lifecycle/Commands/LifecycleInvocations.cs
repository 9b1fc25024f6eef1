using Flame.Po.Core;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.State;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// The lifecycle's methods for the Api (service invocation: in process in <c>--target all</c>, through the
/// Dapr sidecar otherwise). Bodies are snake_case JSON; results carry the compatible response shapes.
/// </summary>
public static class LifecycleInvocations
{
    public const string Create = "analyses/create";
    public const string Stop = "analyses/stop";
    public const string Delete = "analyses/delete";
    public const string Status = "analyses/status";
    public const string Cleanup = "analyses/cleanup";
    public const string History = "analyses/history";
    public const string Logs = "analyses/logs";
    public const string Pods = "analyses/pods";

    public static void Register(IServiceCollection services)
    {
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, Create, (sp, request, ct) =>
            Run(() => sp.GetRequiredService<AnalysisCommands>().CreateAsync(request.GetBody<CreateAnalysisCommand>(), ct)));
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, Stop, (sp, request, ct) =>
            Run(() => sp.GetRequiredService<AnalysisCommands>().StopAsync(request.GetBody<AnalysisSelection>().AnalysisIds, ct)));
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, Delete, (sp, request, ct) =>
            Run(() => sp.GetRequiredService<AnalysisCommands>().DeleteAsync(request.GetBody<AnalysisSelection>().AnalysisIds, ct)));
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, Cleanup, (sp, request, ct) =>
            Run(() => sp.GetRequiredService<CleanupCommands>().CleanupAsync(request.GetBody<CleanupSelection>().Types, ct)));
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, Status, async (sp, request, ct) =>
        {
            var selection = request.GetBody<AnalysisSelection>();
            var id = selection.AnalysisIds is [var single] ? single : null;
            return InvocationResponse.Ok(await sp.GetRequiredService<AnalysisQueries>().StatusesAsync(id, ct));
        });
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, History, (sp, request, ct) =>
            Query(request, id => sp.GetRequiredService<HistoryQueries>().HistoryAsync(id, ct)));
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, Logs, (sp, request, ct) =>
            Query(request, id => sp.GetRequiredService<LiveLogQueries>().LogsAsync(id, ct)));
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, Pods, (sp, request, ct) =>
            Query(request, id => sp.GetRequiredService<PodQueries>().PodsAsync(id, ct)));
    }

    /// <summary>
    /// A read for all analyses (no id) or one: an unknown analysis is a 404, a dependency outage — the cluster, the
    /// state store or the archive's database — a 503. The id is checked again here: this method may be invoked
    /// through Dapr by a caller other than the Api.
    /// </summary>
    private static async Task<InvocationResponse> Query<T>(InvocationRequest request, Func<string?, Task<T?>> query)
        where T : class
    {
        var ids = request.GetBody<AnalysisSelection>().AnalysisIds;
        if (ids is { Count: > 1 } || (ids is [var given] && (!AnalysisIds.TryNormalize(given, out var normalized) || normalized != given)))
        {
            return ToResponse(CommandOutcome.Failed(CommandOutcomeKind.Invalid, "analysis_ids must be null or hold one lower-case analysis id."));
        }

        var id = ids is [var single] ? single : null;
        try
        {
            return await query(id) is { } result
                ? InvocationResponse.Ok(result)
                : ToResponse(CommandOutcome.Failed(CommandOutcomeKind.NotFound, $"Analysis {id} is not known to this node."));
        }
        catch (Exception error) when (error is ClusterUnavailableException or k8s.Autorest.HttpOperationException or HttpRequestException or StateStoreUnavailableException or NpgsqlException)
        {
            return ToResponse(CommandOutcome.Failed(CommandOutcomeKind.Unavailable, $"A dependency of the lifecycle is unavailable: {Describe(error)}"));
        }
    }

    /// <summary>Database errors are described without their connection details.</summary>
    private static string Describe(Exception error) => error is NpgsqlException ? DatabaseErrors.Describe(error) : KubernetesErrors.Describe(error);

    private static async Task<InvocationResponse> Run(Func<Task<CommandOutcome>> command)
    {
        try
        {
            return ToResponse(await command());
        }
        catch (Exception error) when (error is ClusterUnavailableException or k8s.Autorest.HttpOperationException or HttpRequestException or StateStoreUnavailableException)
        {
            return ToResponse(CommandOutcome.Failed(CommandOutcomeKind.Unavailable, $"A dependency of the lifecycle is unavailable: {Describe(error)}"));
        }
    }

    private static InvocationResponse ToResponse(CommandOutcome outcome) => outcome.Kind switch
    {
        CommandOutcomeKind.Accepted => InvocationResponse.Ok(outcome.Statuses),
        var kind => new InvocationResponse(
            kind switch { CommandOutcomeKind.Invalid => 422, CommandOutcomeKind.NotFound => 404, CommandOutcomeKind.Conflict => 409, _ => 503 },
            StateJson.ToElement(new { title = kind.ToString(), detail = outcome.Problem })),
    };
}

/// <summary>The cleanup types of <c>DELETE /po/cleanup/{types}</c>, split at commas.</summary>
public sealed record CleanupSelection(IReadOnlyList<string> Types);

/// <summary>Which analyses a command addresses; null = all.</summary>
public sealed record AnalysisSelection(IReadOnlyList<string>? AnalysisIds);
