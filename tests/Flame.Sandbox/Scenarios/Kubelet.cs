using System.Collections.Concurrent;

using Flame.Sandbox.Kubernetes;
using Flame.Sandbox.Support;

namespace Flame.Sandbox.Scenarios;

/// <summary>The simulated node: starts a <see cref="PodRun"/> for every new pod and carries out graceful deletions.</summary>
public sealed class Kubelet(KubeletContext context)
{
    private readonly ConcurrentDictionary<string, PodRun> _runs = new();

    public PodRun? Find(string podUid) => _runs.TryGetValue(podUid, out var run) ? run : null;

    public async Task RunAsync(CancellationToken ct)
    {
        using var subscription = context.Api.Store.Subscribe(null, null, null)!;
        try
        {
            await foreach (var evt in subscription.Live.ReadAllAsync(ct))
            {
                if (evt.Kind != ResourceCatalog.Pods)
                {
                    continue;
                }

                var uid = evt.Item.Str("metadata", "uid")!;
                switch (evt.Type)
                {
                    case "ADDED" when evt.Item.Str("metadata", "deletionTimestamp") is null:
                        var run = new PodRun(context, evt.Item.CloneObject());
                        if (_runs.TryAdd(uid, run))
                        {
                            run.Start();
                        }

                        break;
                    case "MODIFIED" when evt.Item.Str("metadata", "deletionTimestamp") is not null && evt.Previous.Str("metadata", "deletionTimestamp") is null:
                        if (_runs.TryGetValue(uid, out var terminating))
                        {
                            _ = terminating.TerminateAsync(evt.Item.Num("metadata", "deletionGracePeriodSeconds") ?? 30);
                        }

                        break;
                    case "DELETED":
                        if (_runs.TryRemove(uid, out var removed))
                        {
                            removed.Dispose();
                        }

                        context.Logs.Forget(uid);
                        break;
                    default:
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Sandbox shutdown.
        }
        finally
        {
            foreach (var run in _runs.Values)
            {
                run.Dispose();
            }
        }
    }
}
