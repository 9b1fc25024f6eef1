namespace Flame.Po.IntegrationTests.Support;

public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Flame.Dapr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Flame.Dapr.sln not found above " + AppContext.BaseDirectory);
    }
}
