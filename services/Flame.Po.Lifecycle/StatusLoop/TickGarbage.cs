using System.Diagnostics;

namespace Flame.Po.Lifecycle.StatusLoop;

/// <summary>
/// Gives back the memory of a large tick. A tick lists the namespace (about 13 objects an analysis) and holds the
/// lists while it probes and advances every analysis, a second or two at 1,000 analyses: long enough for the lists to
/// be promoted to the older generations, where the GC leaves them, committed, until its budgets run out. At 1,000
/// analyses the live heap between ticks was about 20 MB while the GC held 150–240 MB committed (README "Performance",
/// footprint). The tick's garbage is known to be garbage the moment the tick ends, and the loop then sleeps until the
/// next interval, so a blocking, compacting collection that also decommits what it frees (the runtime's aggressive
/// mode) costs one short pause per tick and keeps the process near its live size between ticks. Small ticks leave the
/// GC to its own schedule.
/// </summary>
public static class TickGarbage
{
    /// <summary>A tick over at least this many active analyses is followed by a full collection.</summary>
    public const int CollectFromAnalyses = 100;

    public static bool ShouldCollect(int activeAnalyses) => activeAnalyses >= CollectFromAnalyses;

    /// <summary>
    /// Collects after a tick over <paramref name="activeAnalyses"/> analyses when that is worth a pause, and returns
    /// how long the collection took (zero when there was none).
    /// </summary>
    public static TimeSpan CollectAfter(int activeAnalyses)
    {
        if (!ShouldCollect(activeAnalyses))
        {
            return TimeSpan.Zero;
        }

        var started = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return Stopwatch.GetElapsedTime(started);
    }
}
