namespace Flame.DaprSim.Invocation;

/// <summary>
/// Where an invocation goes (daprd: pkg/api/http/directmessaging.go <c>findTargetIDAndMethod</c> and
/// pkg/messaging/method/normalize.go): the app id from the <c>dapr-app-id</c> header (the path is the method) or from
/// <c>/v1.0/invoke/{appId}/method/{method}</c>; <c>{appId}.{namespace}</c> names another namespace.
/// </summary>
public sealed record InvocationTarget(string AppId, string? Namespace, string Method)
{
    public static InvocationTarget? Parse(string path, string? appIdHeader)
    {
        if (!string.IsNullOrEmpty(appIdHeader))
        {
            return Create(appIdHeader, Clean(path).TrimStart('/'));
        }

        const string prefix = "/v1.0/invoke/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = path[prefix.Length..];
        var at = rest.IndexOf("/method/", StringComparison.Ordinal);
        if (at <= 0)
        {
            return null;
        }

        var method = Clean(rest[(at + "/method/".Length)..]);
        return Create(Uri.UnescapeDataString(rest[..at]), method == "." ? "" : method);
    }

    private static InvocationTarget Create(string appId, string method)
    {
        var parts = appId.Split('.');
        return parts.Length == 2 ? new InvocationTarget(parts[0], parts[1], method) : new InvocationTarget(appId, null, method);
    }

    /// <summary>Rejects forbidden characters and resolves <c>..</c> like Go's <c>path.Clean</c> (daprd: <c>NormalizeMethod</c>).</summary>
    public static string Normalize(string method)
    {
        if (method.IndexOfAny(['#', '?', '\0']) >= 0 || method.Any(c => c < 0x20 || c == 0x7f))
        {
            throw new FormatException($"method contains forbidden character: \"{method}\"");
        }

        var cleaned = Clean(method);
        while (cleaned.StartsWith("../", StringComparison.Ordinal))
        {
            cleaned = cleaned[3..];
        }

        return cleaned is ".." or "." ? "" : cleaned;
    }

    /// <summary>Go's <c>path.Clean</c>.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path.StartsWith('/');
        var stack = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count > 0 && stack[^1] != "..")
                {
                    stack.RemoveAt(stack.Count - 1);
                }
                else if (!rooted)
                {
                    stack.Add("..");
                }

                continue;
            }

            stack.Add(part);
        }

        var joined = string.Join('/', stack);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }
}
