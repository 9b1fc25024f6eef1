using System.Runtime.InteropServices;

using Flame.DaprSim;
using Flame.DaprSim.Cli;

using Microsoft.Extensions.Logging;

// Runs simulated Dapr sidecars (see README.md): prints one "DAPR_SIM app=… replica=… http=… grpc=…" line per sidecar,
// then "DAPR_SIM ready" (for scripts such as ./run.sh --dapr-sim), and serves until Ctrl-C or SIGTERM. Logs go to stderr.
DaprSimOptions options;
try
{
    options = CommandLine.Parse(args, Environment.GetEnvironmentVariable);
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException)
{
    await Console.Error.WriteLineAsync("dapr-sim: " + e.Message);
    return 2;
}

using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
}).AddFilter(l => l >= LogLevel.Information).Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
options = options with { LoggerFactory = loggers };

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

await using var simulator = await DaprSimulator.StartAsync(options, stop.Token);
foreach (var sidecar in simulator.Sidecars)
{
    Console.WriteLine($"DAPR_SIM app={sidecar.AppId} replica={sidecar.Replica} http={sidecar.HttpPort} grpc={sidecar.GrpcPort}");
}

Console.WriteLine("DAPR_SIM ready");
Console.Out.Flush();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl-C or SIGTERM.
}

return 0;
