using System.Globalization;
using System.Text.Json;

using Flame.Po.Benchmarks;

// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- loop-scale [sizes, e.g. 10,100,1000]
// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- ingest [lines for one analysis, default 100000]
var scenario = args.Length > 0 ? args[0] : "";
var root = RepositoryRootFinder.Find();
switch (scenario)
{
    case "loop-scale":
        var sizes = args.Length > 1
            ? args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList()
            : [10, 100, 1000];
        Console.WriteLine($"loop-scale on {Environment.ProcessorCount} cores; requests per tick from the Sandbox's counters");
        Console.WriteLine("| analyses | silent | lists | proxied | all k8s | median ms | max ms | setup s |");
        var results = await LoopScaleScenario.RunAsync(sizes, root);
        var directory = Path.Combine(root, "bench-results");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "loop-scale.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
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
        Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Flame.Po.Benchmarks -- loop-scale [10,100,1000] | ingest [100000]");
        return 2;
}
