namespace Flame.Po.Core.Analyses;

/// <summary>What the user asked for last. A stop or delete always wins over automatic actions (docs/compatibility.md#b1).</summary>
public enum DesiredState
{
    Running,
    Stopped,
    Deleted,
}
