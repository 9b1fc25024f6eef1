using System.Reflection;
using Flame.Po.Api.Errors;
using Flame.Po.Core.Analyses;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Flame.Po.Api.Validation;

/// <summary>
/// The one check of the <c>{analysis_id}</c> path segment (docs/compatibility.md#routes): a UUID, normalised to lower
/// case before the handler sees it; anything else is a 422 problem naming <c>analysis_id</c> and nothing is invoked.
/// The old service's <c>all</c> alias is not honoured: "all" is the route without an id, so a typo can never
/// address every analysis.
/// </summary>
public sealed class AnalysisIdRouteFilter : IEndpointFilter
{
    /// <summary>The route parameter this filter checks.</summary>
    public const string RouteParameter = "analysis_id";

    private readonly int _argument;

    private AnalysisIdRouteFilter(int argument) => _argument = argument;

    /// <summary>
    /// Adds the filter to every route of <paramref name="builder"/> whose handler binds <see cref="RouteParameter"/>;
    /// a handler without an id parameter is left unfiltered.
    /// </summary>
    public static TBuilder AddTo<TBuilder>(TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var argument = Array.FindIndex(context.MethodInfo.GetParameters(), IsAnalysisId);
            if (argument < 0)
            {
                return next;
            }

            var filter = new AnalysisIdRouteFilter(argument);
            return invocation => filter.InvokeAsync(invocation, next);
        });

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!AnalysisIds.TryNormalize(context.Arguments[_argument] as string, out var normalized))
        {
            return ValueTask.FromResult<object?>(ApiProblems.InvalidId(RouteParameter));
        }

        context.Arguments[_argument] = normalized;
        return next(context);
    }

    private static bool IsAnalysisId(ParameterInfo parameter) =>
        parameter.ParameterType == typeof(string)
        && (parameter.GetCustomAttribute<FromRouteAttribute>()?.Name ?? parameter.Name) == RouteParameter;
}
