using Flame.Sandbox.Kubernetes;

namespace Flame.Sandbox.Faults;

/// <summary>Names a request the way faults and counters refer to it: area, verb and resource.</summary>
public static class RouteKeys
{
    public static string For(HttpRequest request, string keycloakPrefix, string hubPrefix, string hubAuthPrefix)
    {
        var path = request.Path.Value ?? "/";
        if (path.StartsWith(keycloakPrefix, StringComparison.Ordinal))
        {
            return $"keycloak:{request.Method}:{Templated(KeycloakRoute(path[keycloakPrefix.Length..]))}";
        }

        if (path.StartsWith(hubAuthPrefix, StringComparison.Ordinal))
        {
            return $"hubauth:{request.Method}:{Templated(path[hubAuthPrefix.Length..])}";
        }

        if (path.StartsWith(hubPrefix, StringComparison.Ordinal))
        {
            return $"hub:{request.Method}:{Templated(path[hubPrefix.Length..])}";
        }

        if (path.StartsWith("/_sim", StringComparison.Ordinal))
        {
            return $"sim:{request.Method}:{path}";
        }

        var api = ApiPath.Parse(path);
        if (api?.Kind is null)
        {
            return $"k8s:{request.Method.ToLowerInvariant()}:{path}";
        }

        var isItem = api.Name is not null;
        var verb = (request.Method, isItem, api.Subresource) switch
        {
            (_, true, "proxy") => "proxy",
            ("GET", true, "log") => "get",
            ("GET", false, _) when request.Query["watch"] is ["true" or "1"] => "watch",
            ("GET", true, _) => "get",
            ("GET", false, _) => "list",
            ("POST", _, _) => "create",
            ("PUT", _, _) => "update",
            ("PATCH", _, _) => "patch",
            ("DELETE", true, _) => "delete",
            ("DELETE", false, _) => "deletecollection",
            _ => request.Method.ToLowerInvariant(),
        };
        var resource = api.Kind.Plural + (api.Subresource is null or "proxy" ? "" : "/" + api.Subresource);
        return $"k8s:{verb}:{resource}";
    }

    private static string KeycloakRoute(string path)
    {
        var index = path.IndexOf("/protocol/openid-connect/", StringComparison.Ordinal);
        return index >= 0 ? "/" + path[(index + "/protocol/openid-connect/".Length)..] : path;
    }

    /// <summary>Replaces ids in paths by <c>{id}</c> so that counters aggregate per route.</summary>
    private static string Templated(string path) =>
        string.Join('/', path.Split('/').Select(s => s.Length >= 8 && s.Any(char.IsDigit) && s.Contains('-', StringComparison.Ordinal) ? "{id}" : s));
}
