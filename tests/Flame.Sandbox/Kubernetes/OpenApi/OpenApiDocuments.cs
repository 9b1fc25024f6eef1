using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes.OpenApi;

/// <summary>
/// OpenAPI v3 as the apiserver serves it: <c>/openapi/v3</c> lists one document per group-version, each at
/// <c>/openapi/v3/{api/v1|apis/group/version}?hash=…</c>. kubectl reads them to decide that the server validates
/// fields itself (it then sends <c>fieldValidation=Strict</c>) and to compute apply patches.
/// </summary>
public static class OpenApiDocuments
{
    private static readonly Lazy<IReadOnlyDictionary<string, (string Json, string Hash)>> Documents = new(Build);

    /// <summary>The index or a group-version document for <paramref name="path"/> (below /openapi/v3), or null.</summary>
    public static string? Find(string path)
    {
        var key = path.Trim('/');
        if (key.Length == 0)
        {
            var index = new JsonObject();
            foreach (var (gv, document) in Documents.Value)
            {
                index[gv] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash={document.Hash}" };
            }

            return new JsonObject { ["paths"] = index }.ToJsonString();
        }

        return Documents.Value.TryGetValue(key, out var found) ? found.Json : null;
    }

    private static Dictionary<string, (string Json, string Hash)> Build()
    {
        var documents = new Dictionary<string, (string Json, string Hash)>(StringComparer.Ordinal);
        foreach (var (group, version) in ResourceCatalog.GroupVersions())
        {
            var kinds = ResourceCatalog.All.Where(k => k.Group == group && k.Version == version).ToList();
            var document = new JsonObject
            {
                ["openapi"] = "3.0.0",
                ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = Discovery.Version().Str("gitVersion") },
                ["paths"] = OpenApiPaths.For(kinds),
                ["components"] = new JsonObject
                {
                    ["schemas"] = OpenApiSchemas.For(kinds),
                    ["securitySchemes"] = new JsonObject
                    {
                        ["BearerToken"] = new JsonObject { ["type"] = "apiKey", ["description"] = "Bearer Token authentication", ["name"] = "authorization", ["in"] = "header" },
                    },
                },
                ["security"] = new JsonArray(new JsonObject { ["BearerToken"] = new JsonArray() }),
            };
            var json = document.ToJsonString();
            var hash = Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(json)));
            documents[group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}"] = (json, hash);
        }

        return documents;
    }
}
