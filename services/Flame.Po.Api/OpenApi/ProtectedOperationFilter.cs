using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Flame.Po.Api.OpenApi;

/// <summary>
/// Every route that needs a token gets the bearer requirement and the error answers it can give; routes with
/// an id or a body also document their 422. Keeps the per-route mapping free of repeated boilerplate.
/// </summary>
public sealed class ProtectedOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiSetup.BearerScheme, context.Document)] = [] });
        var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        var validation = context.SchemaGenerator.GenerateSchema(typeof(HttpValidationProblemDetails), context.SchemaRepository);
        operation.Responses ??= [];
        Add(operation, "401", "Missing, malformed, expired or foreign token (WWW-Authenticate: Bearer).", problem);
        Add(operation, "403", "The token's client may not use this route.", problem);
        Add(operation, "503", "Keycloak, the lifecycle service or its database is unavailable; retry later.", problem);
        var hasId = context.ApiDescription.RelativePath?.Contains("{analysis_id}", StringComparison.Ordinal) == true;
        if (hasId || context.ApiDescription.HttpMethod == "POST")
        {
            Add(operation, "422", "Invalid analysis id or body; errors name each field.", validation);
        }

        if (hasId)
        {
            Add(operation, "404", "The analysis is not known to this node.", problem);
        }
    }

    private static void Add(OpenApiOperation operation, string status, string description, IOpenApiSchema schema)
    {
        operation.Responses![status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
        };
    }
}
