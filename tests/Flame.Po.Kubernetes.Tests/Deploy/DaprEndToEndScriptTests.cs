using System.Diagnostics;
using Flame.Po.Kubernetes.Tests.Support;

namespace Flame.Po.Kubernetes.Tests.Deploy;

/// <summary>scripts/dapr-e2e.sh needs the Dapr CLI; without it (as here) it says so and fails fast.</summary>
public sealed class DaprEndToEndScriptTests
{
    [Fact]
    public async Task Without_the_dapr_cli_the_script_says_so_and_exits_non_zero()
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "dapr-e2e.sh"));
        // A PATH with the system tools only: no dapr, even on a machine that has one elsewhere.
        info.Environment["PATH"] = "/usr/bin:/bin";
        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        if (File.Exists("/usr/bin/dapr") || File.Exists("/bin/dapr"))
        {
            return;
        }

        process.ExitCode.Should().Be(127);
        stderr.Should().StartWith("dapr not installed: ");
    }
}
