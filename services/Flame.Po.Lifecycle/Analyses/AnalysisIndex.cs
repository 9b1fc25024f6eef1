namespace Flame.Po.Lifecycle.Analyses;

/// <summary>
/// Every known analysis id with whether it is active (not <see cref="LifecyclePhase.Finished"/>). Kept in the
/// state store next to the records and changed in the same transaction as them, so a tick reads the active
/// records with two requests (index + bulk get) whatever their number.
/// </summary>
public sealed record AnalysisIndex
{
    public Dictionary<string, bool> Analyses { get; init; } = new(StringComparer.Ordinal);

    public IEnumerable<string> ActiveIds => Analyses.Where(entry => entry.Value).Select(entry => entry.Key);
}
