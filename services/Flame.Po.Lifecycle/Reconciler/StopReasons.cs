namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>Reasons recorded for stops; UIs show them next to the status.</summary>
public static class StopReasons
{
    public const string StoppedByUser = "Stopped by a user of this node.";
    public const string DeletedByUser = "Deleted by a user of this node.";
    public const string StoppedByPartner = "Stopped because a partner node stopped the analysis.";
}
