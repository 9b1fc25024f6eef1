using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Flame.Po.Api.OpenApi;

/// <summary>OpenAPI at the old service's addresses (docs/compatibility.md#common): document, Swagger UI and ReDoc, all unauthenticated.</summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/api/v1/openapi.json";
    public const string BearerScheme = "bearer";

    public static IServiceCollection AddApiOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "FLAME Pod Orchestrator",
                Version = "v1",
                Description = "Creates, observes, stops and deletes federated analyses on a FLAME node. Errors are RFC 7807 problem+json.",
            });
            o.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token of the node's Keycloak realm. Management routes need a management client (MANAGEMENT_CLIENTS).",
            });
            o.OperationFilter<ProtectedOperationFilter>();
            o.DocumentFilter<CreateRouteDocumentFilter>();
            o.SupportNonNullableReferenceTypes();
        });
        return services;
    }

    public static IApplicationBuilder UseApiOpenApi(this IApplicationBuilder app)
    {
        app.UseSwagger(o => o.RouteTemplate = "api/{documentName}/openapi.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "api/docs";
            o.SwaggerEndpoint(DocumentPath, "FLAME Pod Orchestrator v1");
            o.DocumentTitle = "FLAME Pod Orchestrator API";
        });
        app.UseReDoc(o =>
        {
            o.RoutePrefix = "api/redoc";
            o.SpecUrl = DocumentPath;
            o.DocumentTitle = "FLAME Pod Orchestrator API";
        });
        return app;
    }
}
