namespace Flame.Sandbox.Kubernetes;

/// <summary>One entry of <c>details.causes</c> in a 422 Invalid Status.</summary>
public sealed record StatusCause(string Reason, string Field, string Message);
