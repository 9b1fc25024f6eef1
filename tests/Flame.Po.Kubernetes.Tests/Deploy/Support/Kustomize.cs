using System.Diagnostics;
using Flame.Po.Kubernetes.Tests.Support;

namespace Flame.Po.Kubernetes.Tests.Deploy.Support;

/// <summary>Renders a kustomization with <c>kubectl kustomize</c> (kustomize is built into kubectl).</summary>
internal static class Kustomize
{
    public static string DeployDirectory => Path.Combine(RepositoryPaths.Root, "deploy");

    public static IReadOnlyList<string> Overlays =>
        [.. Directory.GetDirectories(Path.Combine(DeployDirectory, "overlays")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    public static async Task<string> RenderAsync(string directory)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(directory);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start kubectl");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {await stderr}");
    }

    public static Task<string> RenderOverlayAsync(string overlay) => RenderAsync(Path.Combine(DeployDirectory, "overlays", overlay));
}
