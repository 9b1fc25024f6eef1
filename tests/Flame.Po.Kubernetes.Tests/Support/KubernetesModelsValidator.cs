using System.Diagnostics;
using System.Text.Json;

namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>
/// Runs scripts/k8s-validator/validate.js (npm kubernetes-models@5.1.0, schemas from the official OpenAPI)
/// on YAML documents and returns one result per document.
/// </summary>
internal static class KubernetesModelsValidator
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public sealed record Result(int Index, string? ApiVersion, string? Kind, string? Name, bool Valid, IReadOnlyList<string> Errors);

    public static async Task<IReadOnlyList<Result>> ValidateAsync(string yaml)
    {
        var directory = RepositoryPaths.ValidatorDirectory;
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "kubernetes-models")))
        {
            throw new InvalidOperationException($"The manifest validator is not installed; run: npm ci --prefix {directory}");
        }

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("validate.js");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(yaml);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode is not (0 or 1))
        {
            throw new InvalidOperationException($"validate.js failed ({process.ExitCode}): {await stderr}");
        }

        return JsonSerializer.Deserialize<List<Result>>(await stdout, JsonOptions)
            ?? throw new InvalidOperationException("validate.js printed no results");
    }
}
