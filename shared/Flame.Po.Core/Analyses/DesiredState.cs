namespace Flame.Po.Core.Analyses;

/// <summary>What the user asked for last. A stop or delete always wins over automatic actions (po-spec B1).</summary>
public enum DesiredState
{
    Running,
    Stopped,
    Deleted,
}
