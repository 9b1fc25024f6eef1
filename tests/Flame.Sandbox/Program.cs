using System.Globalization;

using Flame.Sandbox;

// Runs the sandbox alone: prints the addresses (one KEY=value per line) and serves until Ctrl-C.
var options = new SandboxOptions
{
    Port = int.TryParse(Environment.GetEnvironmentVariable("SANDBOX_PORT"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : 0,
    Namespace = Environment.GetEnvironmentVariable("SANDBOX_NAMESPACE") ?? "flame",
    TimeScale = double.TryParse(Environment.GetEnvironmentVariable("SANDBOX_TIME_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) ? scale : 1.0,
    StreamLogsUrl = Uri.TryCreate(Environment.GetEnvironmentVariable("SANDBOX_STREAM_LOGS_URL"), UriKind.Absolute, out var url) ? url : null,
    WorkDirectory = Environment.GetEnvironmentVariable("SANDBOX_WORK_DIR"),
};

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

await using var sandbox = await SandboxServer.StartAsync(options, stop.Token);
Console.WriteLine($"KUBECONFIG={sandbox.KubeconfigPath}");
Console.WriteLine($"KUBERNETES_URL={sandbox.KubernetesUrl}");
Console.WriteLine($"KUBERNETES_HTTP_URL={sandbox.KubernetesHttpUrl}");
Console.WriteLine($"KUBERNETES_TOKEN={sandbox.KubernetesToken}");
Console.WriteLine($"KEYCLOAK_URL={sandbox.KeycloakUrl}");
Console.WriteLine($"KEYCLOAK_BASE_URL={sandbox.KeycloakBaseUrl}");
Console.WriteLine($"HUB_URL={sandbox.HubUrl}");
Console.WriteLine($"HUB_AUTH_URL={sandbox.HubAuthUrl}");
Console.WriteLine($"PO_TOKEN={sandbox.Tokens.Management(TimeSpan.FromHours(12))}");
Console.Out.Flush();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl-C.
}
