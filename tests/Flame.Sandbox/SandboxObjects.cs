using System.Text.Json.Nodes;

using Flame.Sandbox.Kubernetes;
using Flame.Sandbox.Support;

namespace Flame.Sandbox;

/// <summary>In-process access to the stored Kubernetes objects, for assertions and test set-up.</summary>
public sealed class SandboxObjects(ApiCore api, ContinueTokens continues)
{
    public JsonObject? Get(string plural, string? ns, string name) => api.Store.Get(ResourceCatalog.ByPlural(plural), ns, name);

    public IReadOnlyList<JsonObject> List(string plural, string? ns = null, string? labelSelector = null)
    {
        var selector = LabelSelector.Parse(labelSelector);
        return api.Store.List(ResourceCatalog.ByPlural(plural), ns, o => selector.Matches(o.At("metadata", "labels").StringMap()), selector.Equalities, selector.Alternatives).Items;
    }

    /// <summary>Creates an object through the same rules as a POST (defaulting, validation, controllers react).</summary>
    public JsonObject Create(string plural, string? ns, JsonObject obj) => api.Create(ResourceCatalog.ByPlural(plural), ns, obj);

    public JsonObject Delete(string plural, string? ns, string name, string? propagationPolicy = null, long? gracePeriodSeconds = null) =>
        api.Delete(ResourceCatalog.ByPlural(plural), ns, name, new DeleteOptions(propagationPolicy, gracePeriodSeconds));

    /// <summary>Every stored object, grouped by resource: <c>{"pods": [...], "deployments": [...]}</c>.</summary>
    public JsonObject Dump()
    {
        var dump = new JsonObject { ["resourceVersion"] = api.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (kind, obj) in api.Store.All())
        {
            dump.Arr(kind.Plural).Add(obj);
        }

        return dump;
    }

    public long ResourceVersion => api.Store.Revision;

    /// <summary>Raised after each object is created, under the store's lock: keep handlers short (see <see cref="ObjectStore.Created"/>).</summary>
    public event Action<ObjectCreated>? Created
    {
        add => api.Store.Created += value;
        remove => api.Store.Created -= value;
    }

    /// <summary>Drops the watch history: any watch from an older resourceVersion gets 410 Expired.</summary>
    public void CompactWatchHistory() => api.Store.CompactHistory();

    /// <summary>Makes every outstanding list continue token answer 410 Expired.</summary>
    public void ExpireContinueTokens() => continues.ExpireAll();

    /// <summary>Waits until the object satisfies <paramref name="condition"/> (polls the store; fine for tests).</summary>
    public async Task<JsonObject> WaitForAsync(string plural, string? ns, string name, Func<JsonObject, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (Get(plural, ns, name) is { } obj && condition(obj))
            {
                return obj;
            }

            await Task.Delay(10, ct);
        }
    }

    /// <summary>Waits until some object matching the label selector satisfies <paramref name="condition"/>.</summary>
    public async Task<JsonObject> WaitForAnyAsync(string plural, string? ns, string labelSelector, Func<JsonObject, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (List(plural, ns, labelSelector).FirstOrDefault(condition) is { } obj)
            {
                return obj;
            }

            await Task.Delay(10, ct);
        }
    }
}
