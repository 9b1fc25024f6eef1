namespace Flame.Sandbox.Tests;

/// <summary>The sandbox leaves no temporary directory behind, and never deletes a work directory it was given.</summary>
public sealed class SandboxDisposalTests
{
    [Fact]
    public async Task Its_own_temporary_directory_is_removed_on_dispose()
    {
        var server = await SandboxServer.StartAsync(new SandboxOptions());
        var directory = Path.GetDirectoryName(server.KubeconfigPath)!;
        Directory.Exists(directory).Should().BeTrue();

        await server.DisposeAsync();

        Directory.Exists(directory).Should().BeFalse($"{directory} is the sandbox's own temporary directory");
    }

    [Fact]
    public async Task A_given_work_directory_is_kept()
    {
        var directory = Directory.CreateTempSubdirectory("flame-sandbox-given-").FullName;
        try
        {
            var server = await SandboxServer.StartAsync(new SandboxOptions { WorkDirectory = directory });
            await server.DisposeAsync();

            File.Exists(Path.Combine(directory, "kubeconfig")).Should().BeTrue("the caller owns its work directory (run.sh prints the kubeconfig in it)");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
