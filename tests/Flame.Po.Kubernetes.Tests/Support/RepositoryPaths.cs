namespace Flame.Po.Kubernetes.Tests.Support;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Golden files live in the source tree (not the output folder) so they can be regenerated.</summary>
    public static string Golden(string fileName) => Path.Combine(Root, "tests", "Flame.Po.Kubernetes.Tests", "Golden", fileName);

    public static string ValidatorDirectory => Path.Combine(Root, "scripts", "k8s-validator");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flame.Dapr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Flame.Dapr.sln not found above the test output folder.");
    }
}
