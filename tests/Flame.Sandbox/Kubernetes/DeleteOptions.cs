namespace Flame.Sandbox.Kubernetes;

/// <summary>The subset of <c>DeleteOptions</c> the sandbox honours (body or query parameters).</summary>
public sealed record DeleteOptions(
    string? PropagationPolicy = null,
    long? GracePeriodSeconds = null,
    string? PreconditionUid = null,
    string? PreconditionResourceVersion = null,
    bool DryRun = false);
