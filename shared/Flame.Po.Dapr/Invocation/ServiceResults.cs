using Flame.Po.Core.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Flame.Po.Dapr.Invocation;

/// <summary>How an internal route answers a failure: problem+json typed by <see cref="ServiceProblemTypes"/>.</summary>
public static class ServiceResults
{
    public static ProblemHttpResult Problem(ServiceProblemKind kind, string? detail) =>
        TypedResults.Problem(
            statusCode: ServiceProblemTypes.StatusOf(kind),
            type: ServiceProblemTypes.Of(kind),
            title: kind.ToString(),
            detail: detail);
}
