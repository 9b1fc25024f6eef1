namespace Flame.DaprSim.Inspection;

/// <summary>A message accepted by a simulated broker (published by an app or forwarded to a dead-letter topic).</summary>
public sealed record PublishedMessage(string PubSub, string Topic, string MessageId, string PublisherAppId, int PublisherReplica, string ContentType, string Body, DateTimeOffset At);

/// <summary>One delivery attempt of a message to a subscriber app, and what the app's reply meant.</summary>
public sealed record DeliveryRecord(
    string PubSub,
    string Topic,
    string ConsumerGroup,
    string AppId,
    int Replica,
    string MessageId,
    string? Route,
    int Attempt,
    DeliveryOutcome Outcome,
    int? StatusCode,
    string Body,
    DateTimeOffset At);

public enum DeliveryOutcome
{
    /// <summary>Acknowledged: 2xx with an empty, non-JSON or SUCCESS/status-less body.</summary>
    Success,

    /// <summary>Will be redelivered: RETRY, an unknown status, a non-2xx other than 404, or the app was unreachable.</summary>
    Retry,

    /// <summary>Dropped: DROP, 404, no matching route or expired.</summary>
    Drop,

    /// <summary>Forwarded to the subscription's dead-letter topic (after a drop or once the inbound retries are exhausted).</summary>
    DeadLettered,
}

/// <summary>One service invocation received by a sidecar, as answered to the caller.</summary>
public sealed record InvocationRecord(string CallerAppId, int CallerReplica, string TargetAppId, int? TargetReplica, string Verb, string Method, int StatusCode, bool Denied, DateTimeOffset At);

/// <summary>One trigger of a cron input binding on one replica.</summary>
public sealed record CronFire(string Binding, string AppId, int Replica, int? StatusCode, DateTimeOffset At);
