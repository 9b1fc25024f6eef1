using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Flame.Po.Api.OpenApi;

/// <summary>Routing strips the trailing slash of the create route; the contract spells it <c>/po/</c> (docs/compatibility.md#create).</summary>
public sealed class CreateRouteDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(swaggerDoc);
        if (swaggerDoc.Paths.Remove("/po", out var create))
        {
            swaggerDoc.Paths["/po/"] = create;
        }
    }
}
