using System.Text.Json.Nodes;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// Metadata-only reads (<c>Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1</c> for a list,
/// <c>as=PartialObjectMetadata</c> for one object), which client-go's metadata client and the PO's tick use: the
/// API server answers each object as <c>meta.k8s.io/v1 PartialObjectMetadata</c> with only its <c>metadata</c>.
/// </summary>
public static class MetadataConverter
{
    private const string ApiVersion = "meta.k8s.io/v1";

    public static bool WantsList(HttpRequest request) => RequestedAs(request) == "PartialObjectMetadataList";

    public static bool WantsObject(HttpRequest request) => RequestedAs(request) == "PartialObjectMetadata";

    public static JsonObject List(IEnumerable<JsonObject> items, JsonObject listMetadata) => new()
    {
        ["kind"] = "PartialObjectMetadataList",
        ["apiVersion"] = ApiVersion,
        ["metadata"] = listMetadata,
        ["items"] = new JsonArray([.. items.Select(item => (JsonNode)Item(item))]),
    };

    public static JsonObject Item(JsonObject item) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = ApiVersion,
        ["metadata"] = item["metadata"]?.DeepClone(),
    };

    /// <summary>The <c>as</c> of the first media range in <c>Accept</c> that asks for a meta.k8s.io conversion.</summary>
    private static string? RequestedAs(HttpRequest request) =>
        request.Headers.Accept
            .SelectMany(value => (value ?? "").Split(','))
            .Select(range => range.Split(';').Select(part => part.Trim()).ToList())
            .Where(parts => parts.Contains("g=meta.k8s.io"))
            .Select(parts => parts.FirstOrDefault(part => part.StartsWith("as=", StringComparison.Ordinal))?[3..])
            .FirstOrDefault(conversion => conversion is not null);
}
