using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The garbage collector and namespace controller: deletes dependents whose owners are gone, completes
/// foreground deletions once the dependents are gone, and empties terminating namespaces.
/// </summary>
public sealed class GarbageCollector(ApiCore api)
{
    public Task RunAsync(CancellationToken ct) => StoreEventLoop.RunAsync(api, Handle, ct);

    private void Handle(WatchEvent evt)
    {
        var obj = evt.Item;
        var ns = obj.Str("metadata", "namespace");
        switch (evt.Type)
        {
            case "DELETED":
                DeleteOrphans(obj.Str("metadata", "uid")!);
                foreach (var owner in obj.At("metadata", "ownerReferences").Objects())
                {
                    CompleteForeground(owner.Str("uid")!);
                }

                if (ns is not null)
                {
                    CompleteNamespace(ns);
                }

                break;
            case "ADDED":
                var owners = obj.At("metadata", "ownerReferences").Objects().ToList();
                if (owners.Count > 0 && owners.All(o => FindByUid(o.Str("uid")!) is null))
                {
                    api.Delete(evt.Kind, ns, obj.Str("metadata", "name")!, new DeleteOptions());
                }

                break;
            case "MODIFIED" when obj.Str("metadata", "deletionTimestamp") is not null:
                if (evt.Kind == ResourceCatalog.Namespaces)
                {
                    EmptyNamespace(obj.Str("metadata", "name")!);
                }
                else if (HasFinalizer(obj, "foregroundDeletion"))
                {
                    DeleteDependents(obj.Str("metadata", "uid")!);
                    CompleteForeground(obj.Str("metadata", "uid")!);
                }

                break;
            default:
                break;
        }
    }

    private static bool HasFinalizer(JsonObject obj, string name) =>
        obj.At("metadata", "finalizers") is JsonArray finalizers && finalizers.Any(f => f?.GetValue<string>() == name);

    private (ResourceKind Kind, JsonObject Object)? FindByUid(string uid) => api.Store.FindByUid(uid);

    private List<(ResourceKind Kind, JsonObject Object)> DependentsOf(string ownerUid) => api.Store.DependentsOf(ownerUid);

    private void DeleteOrphans(string ownerUid)
    {
        foreach (var (kind, dependent) in DependentsOf(ownerUid))
        {
            var otherOwnerAlive = dependent.At("metadata", "ownerReferences").Objects()
                .Any(r => r.Str("uid") is { } other && other != ownerUid && FindByUid(other) is not null);
            if (!otherOwnerAlive)
            {
                TryDelete(kind, dependent);
            }
        }
    }

    private void DeleteDependents(string ownerUid)
    {
        foreach (var (kind, dependent) in DependentsOf(ownerUid))
        {
            if (dependent.Str("metadata", "deletionTimestamp") is null)
            {
                TryDelete(kind, dependent);
            }
        }
    }

    private void TryDelete(ResourceKind kind, JsonObject obj)
    {
        try
        {
            api.Delete(kind, obj.Str("metadata", "namespace"), obj.Str("metadata", "name")!, new DeleteOptions(PreconditionUid: obj.Str("metadata", "uid")));
        }
        catch (ApiException)
        {
            // Already gone or replaced by a new object of the same name.
        }
    }

    /// <summary>A foreground-deleted owner leaves storage once no dependent blocks it.</summary>
    private void CompleteForeground(string ownerUid)
    {
        if (FindByUid(ownerUid) is not { } owner || !HasFinalizer(owner.Object, "foregroundDeletion") || owner.Object.Str("metadata", "deletionTimestamp") is null)
        {
            return;
        }

        if (DependentsOf(ownerUid).Count > 0)
        {
            return;
        }

        api.Write(owner.Kind, owner.Object.Str("metadata", "namespace"), owner.Object.Str("metadata", "name")!, o =>
        {
            var finalizers = o.Obj("metadata").Arr("finalizers");
            foreach (var f in finalizers.Where(f => f?.GetValue<string>() == "foregroundDeletion").ToList())
            {
                finalizers.Remove(f);
            }

            return o;
        });
    }

    private void EmptyNamespace(string ns)
    {
        foreach (var (kind, obj) in api.Store.All().Where(e => e.Object.Str("metadata", "namespace") == ns))
        {
            if (obj.Str("metadata", "deletionTimestamp") is null)
            {
                TryDelete(kind, obj);
            }
        }

        CompleteNamespace(ns);
    }

    private void CompleteNamespace(string ns)
    {
        var namespaceObj = api.Store.Get(ResourceCatalog.Namespaces, null, ns);
        if (namespaceObj?.Str("metadata", "deletionTimestamp") is null)
        {
            return;
        }

        if (!api.Store.All().Any(e => e.Object.Str("metadata", "namespace") == ns))
        {
            api.Finalize(ResourceCatalog.Namespaces, null, ns, namespaceObj.Str("metadata", "uid"));
        }
    }
}
