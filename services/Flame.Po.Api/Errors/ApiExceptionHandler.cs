using Flame.Po.Dapr.State;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Errors;

/// <summary>
/// Exceptions that are not bugs: an unreachable service or store (503) and a request Kestrel rejected (its 4xx). Anything
/// else falls through to the host's handler, which answers a bare 500 problem: the details stay in the log.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var problem = exception switch
        {
            StateStoreUnavailableException => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "A dependency is unavailable.",
                Detail = "The analysis store cannot be reached; try again later.",
            },
            BadHttpRequestException e => new ProblemDetails { Status = e.StatusCode, Title = "The request could not be read." },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        logger.LogWarning("Request {Method} {Path} answered {Status}: {Reason}", httpContext.Request.Method, httpContext.Request.Path, problem.Status, exception.Message);
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
