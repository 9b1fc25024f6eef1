using Flame.Po.Core.Analyses;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>Reasons recorded for stops; UIs show them next to the status.</summary>
public static class StopReasons
{
    public const string StoppedByUser = TransitionReasons.StoppedByUser;
    public const string DeletedByUser = TransitionReasons.DeletedByUser;
    public const string StoppedByPartner = TransitionReasons.StoppedByPartner;
}
