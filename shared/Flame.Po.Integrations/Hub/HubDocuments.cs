namespace Flame.Po.Integrations.Hub;

/// <summary>A Hub collection answer: <c>{data: [...], meta: {...}}</c>.</summary>
internal sealed record HubCollection<T>(IReadOnlyList<T>? Data);

internal sealed record HubNode(string Id);

internal sealed record HubAnalysisNode(string Id, string? NodeId, string? ExecutionStatus);
