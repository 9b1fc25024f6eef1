using Flame.Po.Api.Auth;
using Flame.Po.Api.Clients;
using Flame.Po.Api.Contracts;
using Flame.Po.Api.Errors;
using Flame.Po.Api.Validation;
using Flame.Po.Core.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Flame.Po.Api.Endpoints;

/// <summary>
/// The management routes (docs/compatibility.md#routes) backed by the lifecycle: create, status, stop, delete. Every
/// route authenticates first, then checks the caller's client, then validates (an id in the path: <see cref="AnalysisIdRouteFilter"/>), then invokes.
/// </summary>
public static class AnalysesApi
{
    public static RouteGroupBuilder MapAnalysesApi(this IEndpointRouteBuilder app)
    {
        var po = app.MapGroup("/po").WithTags("analyses").RequireAuthorization(ApiPolicies.Management);
        AnalysisIdRouteFilter.AddTo(po);

        // The template "/" under /po matches both /po and /po/: clients of either spelling get no redirect.
        po.MapPost("/", CreateAsync).WithName("CreateAnalysis")
            .WithSummary("Create and start an analysis")
            .WithDescription("Returns once the analysis is recorded and queued: {\"<analysis_id>\": \"starting\"}. The Kubernetes objects follow asynchronously.")
            .Accepts<CreateAnalysisRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        po.MapGet("/status", GetStatusesAsync)
            .WithName("GetStatuses").WithSummary("Status and progress of every analysis");
        po.MapGet("/status/{analysis_id}", GetStatusAsync)
            .WithName("GetStatus").WithSummary("Status and progress of one analysis");
        po.MapPut("/stop", StopAllAsync)
            .WithName("StopAnalyses").WithSummary("Stop every analysis");
        po.MapPut("/stop/{analysis_id}", StopAsync)
            .WithName("StopAnalysis").WithSummary("Stop one analysis");
        po.MapDelete("/delete", DeleteAllAsync)
            .WithName("DeleteAnalyses").WithSummary("Stop and forget every analysis");
        po.MapDelete("/delete/{analysis_id}", DeleteAsync)
            .WithName("DeleteAnalysis").WithSummary("Stop and forget one analysis");
        po.MapDelete("/cleanup/{cleanup_type}", CleanupAsync)
            .WithName("Cleanup")
            .WithSummary("Maintenance: all, analyzes, services, mb, rs, keycloak, zombies (comma-separated)")
            .WithDescription("Each type reports what it did; the label-based zombie sweep always runs last. Unknown types are a 422 and change nothing.");
        return po;
    }

    public static Task<Results<Ok<Dictionary<string, AnalysisStatusEntry>>, ProblemHttpResult>> GetStatusesAsync(LifecycleClient lifecycle, CancellationToken ct) =>
        StatusAsync(lifecycle, AnalysisSelection.All, ct);

    /// <summary>Unlike the old service (<c>{}</c>), an unknown id is a 404, like stop and delete.</summary>
    public static async Task<Results<Ok<Dictionary<string, AnalysisStatusEntry>>, ProblemHttpResult>> GetStatusAsync(
        [FromRoute(Name = AnalysisIdRouteFilter.RouteParameter)] string analysisId, LifecycleClient lifecycle, CancellationToken ct) =>
        await StatusAsync(lifecycle, AnalysisSelection.One(analysisId), ct) switch
        {
            { Result: Ok<Dictionary<string, AnalysisStatusEntry>> ok } when !ok.Value!.ContainsKey(analysisId) =>
                ApiProblems.Status(StatusCodes.Status404NotFound, "The analysis is not known.", $"Analysis {analysisId} is not known to this node."),
            var other => other,
        };

    public static Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> StopAllAsync(LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.StopAsync(AnalysisSelection.All, ct);

    public static Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> StopAsync(
        [FromRoute(Name = AnalysisIdRouteFilter.RouteParameter)] string analysisId, LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.StopAsync(AnalysisSelection.One(analysisId), ct);

    public static Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> DeleteAllAsync(LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.DeleteAsync(AnalysisSelection.All, ct);

    public static Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> DeleteAsync(
        [FromRoute(Name = AnalysisIdRouteFilter.RouteParameter)] string analysisId, LifecycleClient lifecycle, CancellationToken ct) =>
        lifecycle.DeleteAsync(AnalysisSelection.One(analysisId), ct);

    public static async Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, LifecycleClient lifecycle, CancellationToken ct)
    {
        var (body, problem) = await BoundedJsonBody.ReadAsync(request, CreateAnalysisLimits.BodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }

        var (create, errors) = CreateAnalysisValidator.Validate(body!.Value);
        return create is null ? ApiProblems.Invalid(errors) : await lifecycle.CreateAsync(create, ct);
    }

    public static Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> CleanupAsync(
        [FromRoute(Name = "cleanup_type")] string cleanupType, LifecycleClient lifecycle, CancellationToken ct)
    {
        var types = cleanupType.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var unknown = types.Where(t => !CleanupTypes.IsKnown(t)).ToList();
        return types.Length == 0 || types.Length > 16 || unknown.Count > 0
            ? Task.FromResult<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>>(ApiProblems.Status(
                StatusCodes.Status422UnprocessableEntity,
                "Unknown cleanup type.",
                $"Known types: {string.Join(", ", CleanupTypes.Known)}; separate several with commas."))
            : lifecycle.CleanupAsync(types, ct);
    }

    private static async Task<Results<Ok<Dictionary<string, AnalysisStatusEntry>>, ProblemHttpResult>> StatusAsync(
        LifecycleClient lifecycle, AnalysisSelection selection, CancellationToken ct) =>
        await lifecycle.StatusAsync(selection, ct) switch
        {
            { Result: Ok<Dictionary<string, AnalysisStatusView>> ok } => TypedResults.Ok(Compatible(ok.Value!)),
            { Result: ProblemHttpResult failed } => failed,
            _ => ApiProblems.Unavailable("The lifecycle service answered unexpectedly; try again later."),
        };

    private static Dictionary<string, AnalysisStatusEntry> Compatible(Dictionary<string, AnalysisStatusView> views) =>
        views.ToDictionary(
            p => p.Key,
            // Only a queued analysis says more than the old service's {status, progress}: why it has not started, and its place.
            p => p.Value.QueuePosition is { } place ? new AnalysisStatusEntry(p.Value.Status, p.Value.Progress, p.Value.Reason, place) : new AnalysisStatusEntry(p.Value.Status, p.Value.Progress),
            StringComparer.Ordinal);
}
