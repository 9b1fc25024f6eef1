using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Lifecycle.Commands;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Lifecycle.Apis;

/// <summary>
/// The lifecycle's internal routes (<see cref="LifecycleRoutes"/>), for the Api only: reachable on the app channel
/// (through the Dapr sidecar, whose access control admits only the Api, or the host's own local channel). Bodies are
/// the shared contracts of <c>Flame.Po.Core.Contracts</c>; failures are problems typed by <see cref="ServiceProblemKind"/>.
/// </summary>
public static class LifecycleApi
{
    public static RouteGroupBuilder MapLifecycleApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(string.Empty).RequireAppChannel().ExcludeFromDescription();
        api.MapPost(LifecycleRoutes.Create, CreateAsync);
        api.MapPost(LifecycleRoutes.Stop, StopAsync);
        api.MapPost(LifecycleRoutes.Delete, DeleteAsync);
        api.MapPost(LifecycleRoutes.Cleanup, CleanupAsync);
        api.MapGet(LifecycleRoutes.Status, StatusAsync);
        api.MapGet(LifecycleRoutes.History, HistoryAsync);
        api.MapGet(LifecycleRoutes.Logs, LogsAsync);
        api.MapGet(LifecycleRoutes.Pods, PodsAsync);
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyDictionary<string, string?>>, ProblemHttpResult>> CreateAsync(
        CreateAnalysisCommand command, AnalysisCommands commands, ILogger<AnalysisCommands> logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var activity = LifecycleTelemetry.Source.StartActivity("create analysis");
        activity?.SetTag(LifecycleTelemetry.AnalysisIdTag, command.AnalysisId);
        return await RunAsync(() => commands.CreateAsync(command, ct), logger);
    }

    public static Task<Results<Ok<IReadOnlyDictionary<string, string?>>, ProblemHttpResult>> StopAsync(
        AnalysisSelection selection, AnalysisCommands commands, ILogger<AnalysisCommands> logger, CancellationToken ct) =>
        RunAsync(() => commands.StopAsync(selection.AnalysisIds, ct), logger);

    public static Task<Results<Ok<IReadOnlyDictionary<string, string?>>, ProblemHttpResult>> DeleteAsync(
        AnalysisSelection selection, AnalysisCommands commands, ILogger<AnalysisCommands> logger, CancellationToken ct) =>
        RunAsync(() => commands.DeleteAsync(selection.AnalysisIds, ct), logger);

    public static Task<Results<Ok<IReadOnlyDictionary<string, string?>>, ProblemHttpResult>> CleanupAsync(
        CleanupSelection selection, CleanupCommands commands, ILogger<CleanupCommands> logger, CancellationToken ct) =>
        RunAsync(() => commands.CleanupAsync(selection.Types, ct), logger);

    public static Task<Results<Ok<IReadOnlyDictionary<string, AnalysisStatusView>>, ProblemHttpResult>> StatusAsync(
        [FromQuery(Name = LifecycleRoutes.AnalysisIdQuery)] string? analysisId, AnalysisQueries queries, CancellationToken ct) =>
        QueryAsync(analysisId, id => queries.StatusesAsync(id, ct)!);

    public static Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> HistoryAsync(
        [FromQuery(Name = LifecycleRoutes.AnalysisIdQuery)] string? analysisId, HistoryQueries queries, CancellationToken ct) =>
        QueryAsync(analysisId, async id => (await queries.HistoryAsync(id, ct))?.ToResponse());

    public static Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> LogsAsync(
        [FromQuery(Name = LifecycleRoutes.AnalysisIdQuery)] string? analysisId, LiveLogQueries queries, CancellationToken ct) =>
        QueryAsync(analysisId, async id => (await queries.LogsAsync(id, ct))?.ToResponse());

    public static Task<Results<Ok<IReadOnlyDictionary<string, IReadOnlyList<string>>>, ProblemHttpResult>> PodsAsync(
        [FromQuery(Name = LifecycleRoutes.AnalysisIdQuery)] string? analysisId, PodQueries queries, CancellationToken ct) =>
        QueryAsync(analysisId, id => queries.PodsAsync(id, ct));

    /// <summary>
    /// A read for all analyses (no id) or one: an unknown analysis is a 404, a dependency outage a 503. The id is
    /// checked again here although the Api validated it: the route is reachable by any caller the app channel admits.
    /// </summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult>> QueryAsync<T>(string? analysisId, Func<string?, Task<T?>> query)
        where T : class
    {
        if (analysisId is not null && (!AnalysisIds.TryNormalize(analysisId, out var normalized) || normalized != analysisId))
        {
            return ServiceResults.Problem(ServiceProblemKind.Invalid, $"{LifecycleRoutes.AnalysisIdQuery} must be a lower-case analysis id.");
        }

        try
        {
            return await query(analysisId) is { } result
                ? TypedResults.Ok(result)
                : ServiceResults.Problem(ServiceProblemKind.NotFound, $"Analysis {analysisId} is not known to this node.");
        }
        catch (Exception error) when (DependencyFailures.IsDependencyFailure(error))
        {
            return Unavailable(error);
        }
    }

    private static async Task<Results<Ok<IReadOnlyDictionary<string, string?>>, ProblemHttpResult>> RunAsync(Func<Task<CommandOutcome>> command, ILogger logger)
    {
        CommandOutcome outcome;
        try
        {
            outcome = await command();
        }
        catch (Exception error) when (DependencyFailures.IsDependencyFailure(error))
        {
            logger.LogWarning("A lifecycle command failed on a dependency: {reason}", DependencyFailures.Describe(error));
            return Unavailable(error);
        }

        return outcome.Kind switch
        {
            CommandOutcomeKind.Accepted => TypedResults.Ok(outcome.Statuses),
            CommandOutcomeKind.Invalid => ServiceResults.Problem(ServiceProblemKind.Invalid, outcome.Problem),
            CommandOutcomeKind.NotFound => ServiceResults.Problem(ServiceProblemKind.NotFound, outcome.Problem),
            CommandOutcomeKind.Conflict => ServiceResults.Problem(ServiceProblemKind.Conflict, outcome.Problem),
            _ => ServiceResults.Problem(ServiceProblemKind.Unavailable, outcome.Problem),
        };
    }

    private static ProblemHttpResult Unavailable(Exception error) =>
        ServiceResults.Problem(ServiceProblemKind.Unavailable, $"A dependency of the lifecycle is unavailable: {DependencyFailures.Describe(error)}");
}
