namespace Flame.Sandbox.Scenarios;

/// <summary>How containerd names an image in statuses and errors: Docker Hub is implied only when the first
/// segment is not a registry host (<c>harbor.example.org/sim/ok</c> stays as it is, <c>nginx</c> becomes
/// <c>docker.io/library/nginx</c>).</summary>
public static class ImageNames
{
    public static string FullyQualified(string image)
    {
        var reference = image.Split('?')[0];
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return "docker.io/library/" + reference;
        }

        var first = reference[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"
            ? reference
            : "docker.io/" + reference;
    }
}
