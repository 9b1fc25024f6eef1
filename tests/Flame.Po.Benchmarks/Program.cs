using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

using Flame.Po.Benchmarks;

// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- <scenario>; each prints a Markdown table and writes
// bench-results/<scenario>.json (git-ignored). Sizes may be made small for a quick smoke run.
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- loop-scale [sizes, e.g. 10,100,1000]
//     [--silent-percent 10] [--silent refuse|hang]
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- ingest [lines for one analysis, default 100000]
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- create [count, default 500] [--concurrency 20]
//     [--object-seconds 300] [--host-process]
//     POST /po/ latency, and per analysis the time until the Sandbox holds all its Kubernetes objects
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- status-read [running analyses, default 1000]
//     [--requests 2000] [--concurrency 1]: GET /po/status and /po/status/{id} latency
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- footprint [running analyses, default 1000]
//     [--starts 3] [--idle-seconds 30] [--steady-seconds 60]: the host as its own process, start-up time and RSS
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- footprint-floor [runs per level, default 1]
//     [--idle-seconds 30]: the idle RSS of the PO's libraries without PO code, one library added per level
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- dapr-sim [requests, default 1000]: --target all and
//     three processes with simulated Dapr sidecars side by side (create, status, stream_logs)
// Bad arguments print the usage line and exit 2 (tests/Flame.Po.Benchmarks/check-args.sh checks that).
var scenario = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToList();
var root = RepositoryRootFinder.Find();
switch (scenario)
{
    case "loop-scale":
        var options = LoopScaleOptions.Parse(rest);
        if (options is null)
        {
            return Usage();
        }

        Console.WriteLine($"loop-scale on {Environment.ProcessorCount} cores, {options.SilentPercent} % silent ({options.Silent}); requests per tick from the Sandbox's counters");
        Console.WriteLine("| analyses | silent | lists | proxied | all k8s | median ms | max ms | setup s |");
        var results = await LoopScaleScenario.RunAsync(options, root);
        foreach (var result in results)
        {
            Console.WriteLine($"requests per tick at {result.Analyses.ToString(CultureInfo.InvariantCulture)}: {result.RequestsByRoute()}");
        }

        await WriteResultAsync(options.ResultFileName, results);
        return 0;
    case "ingest":
        // At least one block of 1,000 lines: the figures compare the first and the last block.
        if (ScenarioArguments.TakeFlag(rest, ScenarioArguments.HostProcessFlag) is not { } ingestFlag
            || ScenarioArguments.Parse(ingestFlag.Others, 100_000, new Dictionary<string, int>()) is not { Size: >= IngestScenario.Block } ingestArgs)
        {
            return Usage();
        }

        var (hostProcess, lineCount) = (ingestFlag.Present, ingestArgs.Size);
        Console.WriteLine($"ingest on {Environment.ProcessorCount} cores: POST /po/stream_logs over HTTP, whole host {(hostProcess ? "in a process of its own" : "in this process")}, real PostgreSQL");
        var ingest = await IngestScenario.RunAsync(lineCount, linesPerClient: 1000, root, hostProcess);
        await WriteResultAsync("ingest.json", ingest);
        return 0;
    case "create":
        if (CreateOptions.Parse(rest) is not { } create)
        {
            return Usage();
        }

        Console.WriteLine($"create on {Environment.ProcessorCount} cores: {create.Count} POST /po/ at concurrency {create.Concurrency} over HTTP, whole host {(create.HostProcess ? "in a process of its own" : "in this process")}, real PostgreSQL; objects observed in the Sandbox's store");
        var created = await CreateScenario.RunAsync(create, root);
        Console.WriteLine(LatencyRow.Header);
        created.Rows.ToList().ForEach(Console.WriteLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{created.CreatesPerSecond:F1} creates/s; all objects of all analyses after {created.SecondsUntilAllObjects:F1} s; status loop every {created.StatusLoopIntervalSeconds:F0} s"));
        Console.WriteLine($"CPU per create until the last answer: {created.CpuUntilAnswered}; until all objects exist: {created.CpuUntilAllObjects}");
        Console.WriteLine("requests per create (Sandbox): " + string.Join(", ", created.RequestsPerCreate.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F2}"))));
        await WriteResultAsync("create.json", created);
        return 0;
    case "status-read":
        if (StatusReadOptions.Parse(rest) is not { } read)
        {
            return Usage();
        }

        Console.WriteLine($"status-read on {Environment.ProcessorCount} cores: {read.Analyses} running analyses, {read.Requests} requests per row at concurrency {read.Concurrency} over HTTP, whole host, real PostgreSQL");
        Console.WriteLine(LatencyRow.Header);
        var statusRead = await StatusReadScenario.RunAsync(read, root);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"set-up of {statusRead.Analyses} running analyses: {statusRead.SetupSeconds:F0} s"));
        await WriteResultAsync("status-read.json", statusRead);
        return 0;
    case "dapr-sim":
        if (ScenarioArguments.Parse(rest, 1000, new Dictionary<string, int>()) is not { } daprSim)
        {
            return Usage();
        }

        Console.WriteLine($"dapr-sim on {Environment.ProcessorCount} cores: --target all vs three processes with simulated sidecars, sequential requests over HTTP, real PostgreSQL");
        await WriteResultAsync("dapr-sim.json", await DaprSimScenario.RunAsync(daprSim.Size, root));
        return 0;
    case "footprint":
        if (FootprintOptions.Parse(rest) is not { } footprint)
        {
            return Usage();
        }

        Console.WriteLine($"footprint on {Environment.ProcessorCount} cores: dotnet Flame.Po.Host.dll --target all as its own process, Sandbox and real PostgreSQL; {footprint.Analyses} analyses");
        var measured = await FootprintScenario.RunAsync(footprint, root);
        measured.Rows().ToList().ForEach(Console.WriteLine);
        await WriteResultAsync("footprint.json", measured);
        return 0;
    case "footprint-floor":
        if (FootprintFloorOptions.Parse(rest) is not { } floor)
        {
            return Usage();
        }

        Console.WriteLine($"footprint-floor on {Environment.ProcessorCount} cores: the PO's libraries without PO code, each level in a process of its own (the host's runtime settings), RSS after {floor.IdleSeconds} s idle, median of {floor.Runs}");
        Console.WriteLine("| level (cumulative) | RSS | added |");
        await WriteResultAsync("footprint-floor.json", await FootprintFloorScenario.RunAsync(floor, root));
        return 0;
    default:
        return Usage();
}

async Task WriteResultAsync<T>(string fileName, T result)
{
    var directory = Path.Combine(root, "bench-results");
    Directory.CreateDirectory(directory);
    // Incomplete samples are infinite: written as "Infinity". Measure names keep their arrows and ≤ unescaped.
    var json = JsonSerializer.Serialize(result, new JsonSerializerOptions
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
    await File.WriteAllTextAsync(Path.Combine(directory, fileName), json);
}

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Flame.Po.Benchmarks -- loop-scale [10,100,1000] [--silent-percent 10] [--silent refuse|hang] | ingest [100000, at least 1000] [--host-process] | create [500] [--concurrency 20] [--object-seconds 300] [--host-process] | status-read [1000] [--requests 2000] [--concurrency 1] | footprint [1000] [--starts 3] [--idle-seconds 30] [--steady-seconds 60] | footprint-floor [1] [--idle-seconds 30] | dapr-sim [1000]");
    return 2;
}
