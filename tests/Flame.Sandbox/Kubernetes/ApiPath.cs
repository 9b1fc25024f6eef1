namespace Flame.Sandbox.Kubernetes;

/// <summary>A parsed resource URL: <c>/api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}[/{rest}]]]</c> or the <c>/apis/{group}/{version}</c> form.</summary>
public sealed record ApiPath(string Group, string Version, ResourceKind? Kind, string? Namespace, string? Name, string? Subresource, string? Rest)
{
    public bool IsGroupVersionRoot => Kind is null;

    public static ApiPath? Parse(string path)
    {
        var segments = path.Trim('/').Split('/');
        string group;
        string version;
        int index;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, index) = ("", segments[1], 2);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, index) = (segments[1], segments[2], 3);
        }
        else
        {
            return null;
        }

        if (!ResourceCatalog.GroupVersions().Contains((group, version)))
        {
            return null;
        }

        var rest = segments[index..];
        if (rest.Length == 0)
        {
            return new ApiPath(group, version, null, null, null, null, null);
        }

        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces" && ResourceCatalog.Find(group, version, rest[2]) is { Namespaced: true })
        {
            ns = rest[1];
            rest = rest[2..];
        }

        var kind = ResourceCatalog.Find(group, version, rest[0]);
        if (kind is null || (ns is null && rest.Length > 1 && kind.Namespaced))
        {
            return null;
        }

        return new ApiPath(
            group,
            version,
            kind,
            ns,
            rest.Length > 1 ? Uri.UnescapeDataString(rest[1]) : null,
            rest.Length > 2 ? rest[2] : null,
            rest.Length > 3 ? string.Join('/', rest[3..]) : null);
    }
}
