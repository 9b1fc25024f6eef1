using System.Diagnostics;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>
/// Debian's <c>chromium</c> in headless mode (test.sh installs it): renders a page with its scripts, then dumps
/// the resulting DOM or takes a screenshot. Each run gets its own profile directory, so parallel runs never share one.
/// </summary>
public static class HeadlessChromium
{
    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome"];

    /// <summary>The browser on PATH, else null.</summary>
    public static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return Candidates
            .SelectMany(name => path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The DOM after the page's scripts ran for up to <paramref name="budget"/> of virtual time.</summary>
    public static async Task<string> DumpDomAsync(string browser, Uri page, TimeSpan budget) =>
        await RunAsync(browser, page, budget, "--dump-dom");

    public static async Task ScreenshotAsync(string browser, Uri page, TimeSpan budget, string pngPath) =>
        await RunAsync(browser, page, budget, $"--screenshot={pngPath}");

    private static async Task<string> RunAsync(string browser, Uri page, TimeSpan budget, string action)
    {
        var profile = Directory.CreateTempSubdirectory("flame-chromium-");
        try
        {
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                "--disable-extensions", "--disable-background-networking", "--window-size=1280,2400",
                $"--user-data-dir={profile.FullName}",
                $"--virtual-time-budget={(int)budget.TotalMilliseconds}",
                action, page.ToString(),
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{browser} did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{browser} {action} did not finish in 120 s: {await errors}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{browser} {action} exited with {process.ExitCode}: {await errors}");
            }

            return await output;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
