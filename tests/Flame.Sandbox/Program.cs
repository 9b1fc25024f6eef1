using System.Globalization;
using System.Runtime.InteropServices;

using Flame.Sandbox;

// Runs the sandbox alone: prints the addresses and credentials (one KEY=value per line, SANDBOX_READY=1 last, so a
// script such as ./run.sh can wait for it) and serves until Ctrl-C or SIGTERM.
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

// SIGTERM (what ./run.sh and Kubernetes send) stops as gracefully as Ctrl-C instead of ending the process at once.
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

await using var sandbox = await SandboxServer.StartAsync(options, stop.Token);
Console.WriteLine($"KUBECONFIG={sandbox.KubeconfigPath}");
Console.WriteLine($"KUBERNETES_URL={sandbox.KubernetesUrl}");
Console.WriteLine($"KUBERNETES_HTTP_URL={sandbox.KubernetesHttpUrl}");
Console.WriteLine($"KUBERNETES_TOKEN={sandbox.KubernetesToken}");
Console.WriteLine($"NAMESPACE={sandbox.Namespace}");
Console.WriteLine($"KEYCLOAK_URL={sandbox.KeycloakUrl}");
Console.WriteLine($"KEYCLOAK_BASE_URL={sandbox.KeycloakBaseUrl}");
Console.WriteLine($"KEYCLOAK_REALM={options.Realm}");
Console.WriteLine($"KEYCLOAK_CLIENT_ID={options.ManagementClientId}");
Console.WriteLine($"KEYCLOAK_CLIENT_SECRET={options.ManagementClientSecret}");
Console.WriteLine($"HUB_URL={sandbox.HubUrl}");
Console.WriteLine($"HUB_AUTH_URL={sandbox.HubAuthUrl}");
Console.WriteLine($"HUB_CLIENT_ID={options.HubClientId}");
Console.WriteLine($"HUB_CLIENT_SECRET={options.HubClientSecret}");
Console.WriteLine($"STREAM_LOGS_URL={sandbox.StreamLogsUrl}");
Console.WriteLine($"PO_TOKEN={sandbox.Tokens.Management(TimeSpan.FromHours(12))}");
Console.WriteLine("SANDBOX_READY=1");
Console.Out.Flush();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl-C or SIGTERM.
}
