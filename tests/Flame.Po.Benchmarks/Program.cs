using System.Globalization;
using System.Text.Json;

using Flame.Po.Benchmarks;

// dotnet run -c Release --project tests/Flame.Po.Benchmarks -- loop-scale [sizes, e.g. 10,100,1000]
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
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Flame.Po.Benchmarks -- loop-scale [10,100,1000]");
        return 2;
}
