using System.Globalization;

using Flame.Po.Lifecycle.Cluster;

using k8s;
using k8s.Autorest;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// A client of the cluster as the PO is one: the PO's ClusterConnection, configured from the environment as the PO's
// settings are (KUBECONFIG, else the in-cluster service account), lists the secrets of its namespace with its one
// client every <interval-ms> (argument 1, default 200) until standard input closes or <limit-s> (argument 2,
// default 300) pass. It prints "ready in-cluster=… namespace=… server=…" once, then one line per list:
// "ok secrets=<n>" or "failed <what>". Tests run it to watch one long-lived client of the real code path.
var interval = TimeSpan.FromMilliseconds(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200);
var limit = TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300);

var settings = new ConfigurationBuilder().AddEnvironmentVariables().Build().Get<ClusterSettings>() ?? new ClusterSettings();
using var connection = new ClusterConnection(Options.Create(settings), TimeProvider.System, NullLoggerFactory.Instance);
if (!connection.IsConfigured)
{
    Console.WriteLine("unconfigured");
    return 2;
}

Console.WriteLine($"ready in-cluster={connection.InCluster} namespace={connection.Namespace} server={connection.Client.BaseUri}");

using var stop = new CancellationTokenSource(limit);
_ = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is not null)
    {
    }

    await stop.CancelAsync();
});

while (!stop.IsCancellationRequested)
{
    try
    {
        var secrets = await connection.Client.CoreV1.ListNamespacedSecretAsync(connection.Namespace, cancellationToken: stop.Token);
        Console.WriteLine($"ok secrets={secrets.Items.Count}");
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        break;
    }
    catch (HttpOperationException error)
    {
        Console.WriteLine($"failed {(int)error.Response.StatusCode} {error.Response.ReasonPhrase}");
    }
    catch (HttpRequestException error)
    {
        Console.WriteLine($"failed {error.Message.ReplaceLineEndings(" ")}");
    }

    try
    {
        await Task.Delay(interval, stop.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }
}

return 0;
