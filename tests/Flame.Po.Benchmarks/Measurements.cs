using System.Globalization;

namespace Flame.Po.Benchmarks;

/// <summary>Percentiles of one measured quantity, with the target it is held to (if any).</summary>
/// <param name="Incomplete">Samples that never finished (e.g. objects that did not appear before the deadline); they count as slower than any finished one.</param>
public sealed record LatencyRow(string Measure, int Count, int Incomplete, double P50Ms, double P99Ms, double MaxMs, double? TargetP50Ms, double? TargetP99Ms)
{
    public bool? Met => TargetP50Ms is null && TargetP99Ms is null
        ? null
        : (TargetP50Ms is not { } p50 || P50Ms <= p50) && (TargetP99Ms is not { } p99 || P99Ms <= p99);

    /// <summary>Nearest-rank percentiles of <paramref name="milliseconds"/>; a non-finite sample is an incomplete one.</summary>
    public static LatencyRow Of(string measure, IEnumerable<double> milliseconds, double? targetP50Ms = null, double? targetP99Ms = null)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("No samples.", nameof(milliseconds));
        }

        return new LatencyRow(measure, sorted.Length, sorted.Count(double.IsInfinity), Percentile(sorted, 0.5), Percentile(sorted, 0.99), sorted[^1], targetP50Ms, targetP99Ms);
    }

    public static string Header => "| measure | n | p50 ms | p99 ms | max ms | target | |\n|---|---|---|---|---|---|---|";

    public override string ToString()
    {
        var target = string.Join(", ", new[] { TargetP50Ms is { } p50 ? $"p50 ≤ {p50:F0} ms" : null, TargetP99Ms is { } p99 ? $"p99 ≤ {p99:F0} ms" : null }.OfType<string>());
        var count = Incomplete > 0 ? $"{Count} ({Incomplete} never)" : $"{Count}";
        return string.Create(CultureInfo.InvariantCulture, $"| {Measure} | {count} | {Ms(P50Ms)} | {Ms(P99Ms)} | {Ms(MaxMs)} | {(target.Length == 0 ? "–" : target)} | {Verdict(Met)} |");
    }

    public static string Verdict(bool? met) => met switch { true => "met", false => "missed", null => "" };

    private static string Ms(double value) => double.IsInfinity(value) ? "never" : value.ToString(value < 10 ? "F1" : "F0", CultureInfo.InvariantCulture);

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
