namespace Flame.Po.Core;

/// <summary>Pub/sub topic names shared by publishers and subscribers.</summary>
public static class Topics
{
    /// <summary>Name of the pub/sub component (Dapr component <c>pubsub</c>).</summary>
    public const string PubSubName = "pubsub";

    /// <summary>One message per lifecycle transition of an analysis.</summary>
    public const string AnalysisEvents = "analysis-events";

    /// <summary>Progress and status the analyses report about themselves (logging → lifecycle).</summary>
    public const string AnalysisReports = "analysis-reports";
}
