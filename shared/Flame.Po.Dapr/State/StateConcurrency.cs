namespace Flame.Po.Dapr.State;

/// <summary>Dapr's <c>options.concurrency</c>: last-write wins by default, first-write for optimistic concurrency.</summary>
public enum StateConcurrency
{
    LastWrite,
    FirstWrite,
}
