namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>
/// Exact comparison with a reviewed file under Golden/. Regenerate after an intended change with
/// <c>UPDATE_GOLDEN=1 dotnet test tests/Flame.Po.Kubernetes.Tests</c>, review the diff, commit.
/// </summary>
internal static class GoldenFile
{
    public static void Verify(string fileName, string actual)
    {
        var path = RepositoryPaths.Golden(fileName);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        File.Exists(path).Should().BeTrue($"golden file {path} must exist (create it with UPDATE_GOLDEN=1 and review it)");
        var expected = File.ReadAllText(path);
        actual.Should().Be(expected, $"the output must equal {path} (after an intended change: UPDATE_GOLDEN=1, then review the diff)");
    }
}
