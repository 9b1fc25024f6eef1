using System.Globalization;
using System.Text.Json;

using Flame.Po.Benchmarks;

// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- loop-scale [sizes, e.g. 10,100,1000]
//     [--silent-percent 10] [--silent refuse|hang]
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- ingest [lines for one analysis, default 100000]
var scenario = args.Length > 0 ? args[0] : "";
var root = RepositoryRootFinder.Find();
switch (scenario)
{
    case "loop-scale":
        var options = LoopScaleOptions.Parse(args.Skip(1).ToList());
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

        var directory = Path.Combine(root, "bench-results");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, options.ResultFileName), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    case "ingest":
        var lineCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        Console.WriteLine($"ingest on {Environment.ProcessorCount} cores: POST /po/stream_logs over HTTP, whole host, real PostgreSQL");
        var ingest = await IngestScenario.RunAsync(lineCount, linesPerClient: 1000, root);
        var ingestDirectory = Path.Combine(root, "bench-results");
        Directory.CreateDirectory(ingestDirectory);
        await File.WriteAllTextAsync(Path.Combine(ingestDirectory, "ingest.json"), JsonSerializer.Serialize(ingest, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Flame.Po.Benchmarks -- loop-scale [10,100,1000] [--silent-percent 10] [--silent refuse|hang] | ingest [100000]");
    return 2;
}
