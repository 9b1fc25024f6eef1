namespace Flame.Po.Core;

/// <summary>Pub/sub topic names shared by publishers and subscribers.</summary>
public static class Topics
{
    /// <summary>Name of the pub/sub component (Dapr component <c>pubsub</c>).</summary>
    public const string PubSubName = "pubsub";

    /// <summary>
    /// A second pub/sub component on the same broker whose consumer group is per replica (Dapr: <c>consumerID:
    /// "{podName}"</c>), for subscribers that must see every message on every replica — the Api's <c>/po/events</c>.
    /// Publishers always publish on <see cref="PubSubName"/>.
    /// </summary>
    public const string EveryReplicaPubSubName = "pubsub-replicas";

    /// <summary>One message per lifecycle transition of an analysis.</summary>
    public const string AnalysisEvents = "analysis-events";

    /// <summary>Progress and status the analyses report about themselves (logging → lifecycle).</summary>
    public const string AnalysisReports = "analysis-reports";
}
