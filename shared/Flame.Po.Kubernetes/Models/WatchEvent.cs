namespace Flame.Po.Kubernetes.Models;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>A change seen by a watch. Bookmarks and errors are handled inside the watcher and never surface.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T Item)
    where T : KubernetesObject;
