using System.Globalization;

namespace Flame.Po.Benchmarks;

/// <summary>
/// The GC's memory as the host exports it on <c>/metrics</c> (the runtime's <c>System.Runtime</c> meter): the heap
/// after the last collection, summed over generations, and the memory the GC keeps committed. Null when absent.
/// </summary>
public sealed record GcMemory(double? HeapMb, double? CommittedMb)
{
    private const string HeapSize = "dotnet_gc_last_collection_heap_size_bytes";
    private const string Committed = "dotnet_gc_last_collection_memory_committed_size_bytes";

    public static GcMemory Parse(string prometheusText)
    {
        ArgumentNullException.ThrowIfNull(prometheusText);
        double? heap = null;
        double? committed = null;
        foreach (var line in prometheusText.Split('\n'))
        {
            if (line.StartsWith(HeapSize, StringComparison.Ordinal) && Value(line) is { } generation)
            {
                heap = (heap ?? 0) + generation;
            }
            else if (line.StartsWith(Committed, StringComparison.Ordinal) && Value(line) is { } bytes)
            {
                committed = bytes;
            }
        }

        return new GcMemory(heap / 1e6, committed / 1e6);
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"{(HeapMb is { } h ? $"{h:F0} MB" : "n/a")} / {(CommittedMb is { } c ? $"{c:F0} MB" : "n/a")}");

    private static double? Value(string line)
    {
        // name{labels} value [timestamp], or name value [timestamp] without labels
        var labelsEnd = line.LastIndexOf('}');
        var parts = line[(labelsEnd >= 0 ? labelsEnd + 1 : line.IndexOf(' ', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
