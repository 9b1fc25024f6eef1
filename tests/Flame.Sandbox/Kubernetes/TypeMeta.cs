using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The apiVersion/kind of a written body, checked as the apiserver's decoder does: JSON is decoded with the URL's
/// group/version/kind as defaults, so a body without apiVersion or kind takes them from the URL, while one naming
/// another kind or version is a 400 (the decoder knows no such type, or cannot convert it to the URL's).
/// </summary>
public static class TypeMeta
{
    public static void Resolve(ResourceKind kind, JsonObject body)
    {
        var apiVersion = body.Str("apiVersion") is { Length: > 0 } v ? v : kind.ApiVersion;
        var k = body.Str("kind") is { Length: > 0 } named ? named : kind.Kind;
        if (k == kind.Kind && apiVersion == kind.ApiVersion)
        {
            body["apiVersion"] = kind.ApiVersion;
            body["kind"] = kind.Kind;
            return;
        }

        var version = apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..];
        if (ResourceCatalog.ByKind(apiVersion, k) is null)
        {
            throw ApiException.BadRequest($"{k} in version \"{version}\" cannot be handled as a {kind.Kind}: no kind \"{k}\" is registered for version \"{apiVersion}\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"");
        }

        // Another served kind: the decoder reads it, then cannot convert it to this resource's internal type.
        throw ApiException.BadRequest($"{k} in version \"{version}\" cannot be handled as a {kind.Kind}: converting ({version}.{k}) to ({InternalPackage(kind)}.{kind.Kind}): unknown conversion");
    }

    /// <summary>The Go package of the internal type the apiserver converts to (<c>core.Pod</c>, <c>apps.Deployment</c>).</summary>
    private static string InternalPackage(ResourceKind kind) => kind.Group.Length == 0 ? "core" : kind.Group.Split('.')[0];
}
