namespace Flame.Sandbox.Kubernetes;

/// <summary>One request to the API server: when it came, the bearer token it carried (null: none) and whether it was let in.</summary>
public sealed record ApiTokenUse(DateTimeOffset At, string? Token, bool Accepted);
