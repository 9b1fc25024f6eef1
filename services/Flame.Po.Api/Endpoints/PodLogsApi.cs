using Flame.Po.Api.Auth;
using Flame.Po.Api.Clients;
using Flame.Po.Api.Contracts;
using Flame.Po.Api.Validation;
using Flame.Po.Core.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Flame.Po.Api.Endpoints;

/// <summary>
/// The read routes about pods (docs/compatibility.md#history, #logs and #pods): archived pod logs (history), live pod
/// logs and current pod names. Same rules as the other management routes: management clients only, ids are UUIDs
/// normalised to lower case (<see cref="AnalysisIdRouteFilter"/>), <c>all</c> is not an alias, an unknown id on a single-id route is a 404.
/// </summary>
public static class PodLogsApi
{
    public static RouteGroupBuilder MapPodLogsApi(this IEndpointRouteBuilder app)
    {
        var po = app.MapGroup("/po").WithTags("analyses").RequireAuthorization(ApiPolicies.Management);
        AnalysisIdRouteFilter.AddTo(po);

        po.MapGet("/history", GetHistoriesAsync)
            .WithName("GetHistories")
            .WithSummary("Archived pod logs of every analysis")
            .WithDescription("One text per pod and container attempt of every archived deployment (restarts, stops, failures and executed runs), oldest first.");
        po.MapGet("/history/{analysis_id}", GetHistoryAsync)
            .WithName("GetHistory")
            .WithSummary("Archived pod logs of one analysis")
            .WithDescription("An analysis that is tracked but has nothing archived yet has empty lists.");
        po.MapGet("/logs", GetLogsAsync)
            .WithName("GetLogs")
            .WithSummary("Live pod logs of every running analysis")
            .WithDescription("Every unfinished analysis whose current deployment has pods; INFO: lines and probe access-log lines are left out.");
        po.MapGet("/logs/{analysis_id}", GetLogAsync)
            .WithName("GetLog")
            .WithSummary("Live pod logs of one analysis")
            .WithDescription("Empty lists when the current deployment has no pods (e.g. the analysis finished: see /po/history).");
        po.MapGet("/pods", GetPodsAsync)
            .WithName("GetPods")
            .WithSummary("Current pod names of every analysis");
        po.MapGet("/pods/{analysis_id}", GetAnalysisPodsAsync)
            .WithName("GetAnalysisPods")
            .WithSummary("Current pod names of one analysis");
        return po;
    }

    public static Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> GetHistoriesAsync(LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.HistoryAsync(AnalysisSelection.All, ct);

    public static Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> GetHistoryAsync(
        [FromRoute(Name = AnalysisIdRouteFilter.RouteParameter)] string analysisId, LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.HistoryAsync(AnalysisSelection.One(analysisId), ct);

    public static Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> GetLogsAsync(LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.LogsAsync(AnalysisSelection.All, ct);

    public static Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> GetLogAsync(
        [FromRoute(Name = AnalysisIdRouteFilter.RouteParameter)] string analysisId, LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.LogsAsync(AnalysisSelection.One(analysisId), ct);

    public static Task<Results<Ok<Dictionary<string, List<string>>>, ProblemHttpResult>> GetPodsAsync(LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.PodsAsync(AnalysisSelection.All, ct);

    public static Task<Results<Ok<Dictionary<string, List<string>>>, ProblemHttpResult>> GetAnalysisPodsAsync(
        [FromRoute(Name = AnalysisIdRouteFilter.RouteParameter)] string analysisId, LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.PodsAsync(AnalysisSelection.One(analysisId), ct);
}
