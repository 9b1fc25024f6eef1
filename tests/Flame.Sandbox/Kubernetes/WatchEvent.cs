using System.Text.Json.Nodes;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// One change in the store. <see cref="Item"/> is shared by all readers and must not be mutated;
/// <see cref="Previous"/> lets a filtered watch turn "stopped matching" into DELETED, as the apiserver does.
/// </summary>
public sealed record WatchEvent(string Type, ResourceKind Kind, JsonObject Item, JsonObject? Previous, long Revision);
