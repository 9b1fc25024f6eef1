using Flame.DaprSim.Errors;
using Flame.DaprSim.Sidecars;
using Flame.DaprSim.State;

namespace Flame.DaprSim.Api;

/// <summary>
/// The state API of one sidecar, shared by its HTTP and gRPC faces (daprd: pkg/api/grpc/grpc.go and pkg/api/http/http.go
/// state handlers): store lookup, key prefixing, and daprd's error for each operation.
/// </summary>
public sealed class StateApi
{
    private readonly Sidecar _sidecar;

    public StateApi(Sidecar sidecar)
    {
        _sidecar = sidecar;
    }

    public StateEntry? Get(string storeName, string key, bool http)
    {
        var binding = _sidecar.StateStore(storeName, http);
        return binding.Store.Get(binding.Keys.Modify(key, _sidecar.AppId));
    }

    /// <summary>Every requested key comes back, found ones with their data and ETag, missing ones empty.</summary>
    public IReadOnlyList<(string Key, StateEntry? Entry)> BulkGet(string storeName, IReadOnlyList<string> keys, bool http)
    {
        var binding = _sidecar.StateStore(storeName, http);
        var modified = keys.Select(k => binding.Keys.Modify(k, _sidecar.AppId)).ToList();
        return binding.Store.BulkGet(modified).Select(r => (StateKeys.Original(r.Key), r.Entry)).ToList();
    }

    /// <summary>
    /// One item is a plain Set; several are set one by one (components-contrib: DefaultBulkStore), and when some fail the
    /// error is an ETag mismatch only if all failures were (daprd: pkg/components/state/bulk.go).
    /// </summary>
    public void Save(string storeName, IReadOnlyList<SetRequest> items, bool http)
    {
        var binding = _sidecar.StateStore(storeName, http);
        if (items.Count == 0)
        {
            return;
        }

        if (items.Any(i => i.Key.Length == 0))
        {
            throw http ? DaprErrors.MalformedRequest("\"key\" is a required field") : DaprErrors.StateKeyEmpty();
        }

        var requests = items.Select(i => i with { Key = binding.Keys.Modify(i.Key, _sidecar.AppId) }).ToList();
        var failures = new List<StateStoreException>();
        foreach (var request in requests)
        {
            try
            {
                binding.Store.Set(request);
            }
            catch (StateStoreException failure)
            {
                failures.Add(failure);
            }
        }

        if (failures.Count > 0)
        {
            var failure = failures.All(f => f.Kind == StateFailureKind.ETagMismatch) || failures.Count == 1 ? failures[0] : failures.First(f => f.Kind != StateFailureKind.ETagMismatch);
            throw DaprErrors.StateSave(storeName, failure);
        }
    }

    public void Delete(string storeName, string key, string? etag, string? concurrency, bool http)
    {
        var binding = _sidecar.StateStore(storeName, http);
        try
        {
            binding.Store.Delete(new DeleteRequest(binding.Keys.Modify(key, _sidecar.AppId), etag, concurrency));
        }
        catch (StateStoreException failure)
        {
            throw DaprErrors.StateDelete(key, failure);
        }
    }

    public void DeleteBulk(string storeName, IReadOnlyList<DeleteRequest> items)
    {
        var binding = _sidecar.StateStore(storeName, http: false);
        var failures = new List<StateStoreException>();
        foreach (var item in items)
        {
            try
            {
                binding.Store.Delete(item with { Key = binding.Keys.Modify(item.Key, _sidecar.AppId) });
            }
            catch (StateStoreException failure)
            {
                failures.Add(failure);
            }
        }

        if (failures.Count > 0)
        {
            throw DaprErrors.StateBulkDelete(storeName, failures[0]);
        }
    }

    /// <summary>All or nothing; any failure, an ETag conflict included, is ERR_STATE_TRANSACTION (Internal / 500).</summary>
    public void Transact(string storeName, IReadOnlyList<IStateOperation> operations, bool http)
    {
        var binding = _sidecar.StateStore(storeName, http);
        if (operations.Count == 0)
        {
            return;
        }

        var modified = operations.Select(o => o switch
        {
            SetRequest set => (IStateOperation)(set with { Key = binding.Keys.Modify(set.Key, _sidecar.AppId) }),
            DeleteRequest delete => delete with { Key = binding.Keys.Modify(delete.Key, _sidecar.AppId) },
            _ => o,
        }).ToList();
        try
        {
            binding.Store.Multi(modified);
        }
        catch (StateStoreException failure)
        {
            throw DaprErrors.StateTransaction(failure.Message);
        }
    }
}
