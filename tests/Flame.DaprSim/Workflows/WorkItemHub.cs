using System.Globalization;
using System.Threading.Channels;

using Grpc.Core;

using D = Dapr.DurableTask.Protobuf;
using M = Microsoft.DurableTask.Protobuf;

namespace Flame.DaprSim.Workflows;

/// <summary>
/// Stands between the backend's server and the workers of one app id. The server sees a single work-item stream that
/// never ends (this hub); the hub hands every work item to one of the connected workers (round-robin) and keeps it until
/// that worker completes it. When a worker's stream ends, the items it held and had not completed go to the other
/// workers, or wait for the next one to connect: as daprd re-drives them through its actor reminders, activities are
/// at least once and workflow turns are replayed from history. Each hand-out gets its own completion token, so a late
/// completion of an item that was handed out again is refused.
/// </summary>
public sealed class WorkItemHub : IServerStreamWriter<M.WorkItem>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Outstanding> _outstanding = new(StringComparer.Ordinal);
    private readonly List<Worker> _workers = [];
    private readonly List<string> _waiting = [];
    private readonly TaskExecutionIds _ids;
    private long _nextToken;
    private int _nextWorker;

    public WorkItemHub(TaskExecutionIds ids)
    {
        _ids = ids;
    }

    public WriteOptions? WriteOptions { get; set; }

    /// <summary>How many workers are connected now.</summary>
    public int WorkerCount
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>How many worker streams have connected so far.</summary>
    public int Connections { get; private set; }

    /// <summary>The work items handed out (or waiting for a worker) and not completed yet.</summary>
    public IReadOnlyList<PendingWorkItem> Pending
    {
        get
        {
            lock (_lock)
            {
                return _outstanding.Values.Select(o => new PendingWorkItem(o.Key, o.Deliveries, o.Worker is not null)).ToList();
            }
        }
    }

    /// <summary>Called by the server for each work item (it believes it writes to one worker's stream).</summary>
    public Task WriteAsync(M.WorkItem message)
    {
        var item = ProtocolShim.ToDapr(message, _ids);
        var key = item.RequestCase switch
        {
            D.WorkItem.RequestOneofCase.WorkflowRequest => WorkflowKey(item.WorkflowRequest.InstanceId),
            D.WorkItem.RequestOneofCase.ActivityRequest => ActivityKey(item.ActivityRequest.WorkflowInstance?.InstanceId ?? "", item.ActivityRequest.TaskId),
            _ => null,
        };
        if (key is null)
        {
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            var outstanding = new Outstanding(key, item);
            _outstanding[key] = outstanding;
            Assign(outstanding);
        }

        return Task.CompletedTask;
    }

    /// <summary>A worker's <c>GetWorkItems</c> stream opened: it gets the items waiting for a worker.</summary>
    public Worker Connect(string peer)
    {
        var worker = new Worker(peer);
        lock (_lock)
        {
            _workers.Add(worker);
            Connections++;
            var waiting = _waiting.ToList();
            _waiting.Clear();
            foreach (var key in waiting)
            {
                if (_outstanding.TryGetValue(key, out var outstanding) && outstanding.Worker is null)
                {
                    Assign(outstanding);
                }
            }
        }

        return worker;
    }

    /// <summary>A worker's stream ended: what it held and did not complete goes to another worker.</summary>
    public void Disconnect(Worker worker)
    {
        lock (_lock)
        {
            if (!_workers.Remove(worker))
            {
                return;
            }

            worker.Items.Writer.TryComplete();
            foreach (var outstanding in _outstanding.Values.Where(o => o.Worker == worker).ToList())
            {
                outstanding.Worker = null;
                Assign(outstanding);
            }
        }
    }

    /// <summary>
    /// Takes an item back from the workers once one of them completed it. False when it is not outstanding or was handed
    /// out again since (the token differs); an empty token is accepted, as daprd does.
    /// </summary>
    public bool TryComplete(string key, string completionToken)
    {
        lock (_lock)
        {
            if (!_outstanding.TryGetValue(key, out var outstanding) || (completionToken.Length > 0 && completionToken != outstanding.Token))
            {
                return false;
            }

            _outstanding.Remove(key);
            _waiting.Remove(key);
            return true;
        }
    }

    /// <summary>Takes every outstanding item back (the engine is stopping).</summary>
    public IReadOnlyList<D.WorkItem> DrainAll()
    {
        lock (_lock)
        {
            var all = _outstanding.Values.Select(o => o.Item).ToList();
            _outstanding.Clear();
            _waiting.Clear();
            foreach (var worker in _workers)
            {
                worker.Items.Writer.TryComplete();
            }

            _workers.Clear();
            return all;
        }
    }

    public static string WorkflowKey(string instanceId) => "workflow|" + instanceId;

    public static string ActivityKey(string instanceId, int taskId) => "activity|" + instanceId + "|" + taskId.ToString(CultureInfo.InvariantCulture);

    private void Assign(Outstanding outstanding)
    {
        if (_workers.Count == 0)
        {
            if (!_waiting.Contains(outstanding.Key))
            {
                _waiting.Add(outstanding.Key);
            }

            return;
        }

        var worker = _workers[_nextWorker++ % _workers.Count];
        outstanding.Worker = worker;
        outstanding.Token = (++_nextToken).ToString(CultureInfo.InvariantCulture);
        outstanding.Deliveries++;
        var item = outstanding.Item.Clone();
        item.CompletionToken = outstanding.Token;
        worker.Items.Writer.TryWrite(item);
    }

    /// <summary>One connected worker stream and the items queued for it.</summary>
    public sealed class Worker(string peer)
    {
        public string Peer { get; } = peer;

        public Channel<D.WorkItem> Items { get; } = Channel.CreateUnbounded<D.WorkItem>();
    }

    private sealed class Outstanding(string key, D.WorkItem item)
    {
        public string Key { get; } = key;

        public D.WorkItem Item { get; } = item;

        public Worker? Worker { get; set; }

        public string Token { get; set; } = "";

        public int Deliveries { get; set; }
    }
}

/// <summary>A work item not completed yet: its key (<c>workflow|{id}</c> or <c>activity|{id}|{taskId}</c>), how often it was handed out, whether a worker holds it.</summary>
public sealed record PendingWorkItem(string Key, int Deliveries, bool HeldByWorker);
