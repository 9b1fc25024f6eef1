using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.Invocation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Flame.Po.Api.Errors;

/// <summary>RFC 7807 answers of the Api; details describe the caller's mistake, never an internal exception.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult Status(int status, string title, string? detail = null) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });

    /// <summary>422 with one entry per offending field, the shape clients know from ASP.NET's validation problems.</summary>
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The request is invalid.",
            Detail = detail ?? "See errors: " + string.Join(", ", errors.Keys) + ".",
        });

    public static ProblemHttpResult InvalidId(string field) =>
        Invalid(new Dictionary<string, string[]> { [field] = ["must be an analysis id: a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"] });

    public static ProblemHttpResult TooLarge(long limit) =>
        Status(StatusCodes.Status413PayloadTooLarge, "The request body is too large.", $"At most {limit} bytes are accepted.");

    public static ProblemHttpResult Unavailable(string detail) =>
        Status(StatusCodes.Status503ServiceUnavailable, "A dependency is unavailable.", detail);

    /// <summary>
    /// A service's answer as the Api's result: the value, or the problem it reported — with the service's
    /// explanation as detail — under the Api's own titles. The one place where service problems become HTTP answers.
    /// </summary>
    public static Results<Ok<T>, ProblemHttpResult> From<T>(ServiceAnswer<T> answer, string service)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Value is { } value)
        {
            return TypedResults.Ok(value);
        }

        var detail = answer.Problem?.Detail;
        return answer.Problem?.Kind switch
        {
            ServiceProblemKind.NotFound => Status(StatusCodes.Status404NotFound, "The analysis is not known.", detail),
            ServiceProblemKind.Conflict => Status(StatusCodes.Status409Conflict, "The analysis already exists.", detail),
            ServiceProblemKind.Gone => Status(StatusCodes.Status410Gone, "The analysis was deleted.", detail),
            ServiceProblemKind.Invalid => Invalid(new Dictionary<string, string[]> { ["body"] = [detail ?? "is invalid"] }, detail),
            _ => Unavailable(detail ?? $"The {service} service cannot be reached; try again later."),
        };
    }
}
