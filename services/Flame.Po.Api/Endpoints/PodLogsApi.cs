using Flame.Po.Api.Auth;
using Flame.Po.Api.Clients;
using Flame.Po.Api.Contracts;
using Flame.Po.Api.Errors;
using Flame.Po.Api.Validation;
using Flame.Po.Core.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flame.Po.Api.Endpoints;

/// <summary>
/// The read routes about pods (docs/compatibility.md#history, #logs and #pods): archived pod logs (history), live pod
/// logs and current pod names. Same rules as the other management routes: management clients only, ids are UUIDs
/// normalised to lower case, <c>all</c> is not an alias, an unknown id on a single-id route is a 404.
/// </summary>
public static class PodLogsApi
{
    public static RouteGroupBuilder MapPodLogsApi(this IEndpointRouteBuilder endpoints)
    {
        var po = endpoints.MapGroup("/po").WithTags("analyses").RequireAuthorization(ApiPolicies.Management);

        po.MapGet("/history", (LifecycleClient lifecycle, CancellationToken ct) => lifecycle.HistoryAsync(AnalysisSelection.All, ct))
            .WithName("GetHistories")
            .WithSummary("Archived pod logs of every analysis")
            .WithDescription("One text per pod and container attempt of every archived deployment (restarts, stops, failures and executed runs), oldest first.");
        po.MapGet("/history/{analysis_id}", (string analysis_id, LifecycleClient lifecycle, CancellationToken ct) =>
                One(analysis_id, selection => lifecycle.HistoryAsync(selection, ct)))
            .WithName("GetHistory")
            .WithSummary("Archived pod logs of one analysis")
            .WithDescription("An analysis that is tracked but has nothing archived yet has empty lists.");
        po.MapGet("/logs", (LifecycleClient lifecycle, CancellationToken ct) => lifecycle.LogsAsync(AnalysisSelection.All, ct))
            .WithName("GetLogs")
            .WithSummary("Live pod logs of every running analysis")
            .WithDescription("Every unfinished analysis whose current deployment has pods; INFO: lines and probe access-log lines are left out.");
        po.MapGet("/logs/{analysis_id}", (string analysis_id, LifecycleClient lifecycle, CancellationToken ct) =>
                One(analysis_id, selection => lifecycle.LogsAsync(selection, ct)))
            .WithName("GetLog")
            .WithSummary("Live pod logs of one analysis")
            .WithDescription("Empty lists when the current deployment has no pods (e.g. the analysis finished: see /po/history).");
        po.MapGet("/pods", (LifecycleClient lifecycle, CancellationToken ct) => lifecycle.PodsAsync(AnalysisSelection.All, ct))
            .WithName("GetPods")
            .WithSummary("Current pod names of every analysis");
        po.MapGet("/pods/{analysis_id}", (string analysis_id, LifecycleClient lifecycle, CancellationToken ct) =>
                One(analysis_id, selection => lifecycle.PodsAsync(selection, ct)))
            .WithName("GetAnalysisPods")
            .WithSummary("Current pod names of one analysis");
        return po;
    }

    private static Task<Results<Ok<T>, ProblemHttpResult>> One<T>(string analysisId, Func<AnalysisSelection, Task<Results<Ok<T>, ProblemHttpResult>>> query) =>
        RouteIds.TryNormalize(analysisId, out var id)
            ? query(AnalysisSelection.One(id))
            : Task.FromResult<Results<Ok<T>, ProblemHttpResult>>(ApiProblems.InvalidId(RouteIds.Field));
}
