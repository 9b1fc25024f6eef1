using System.Collections.Concurrent;

namespace Flame.Sandbox.Kubernetes;

/// <summary>Container logs as the kubelet keeps them: the current instance and the previous (terminated) one.</summary>
public sealed class PodLogStore
{
    private readonly ConcurrentDictionary<(string PodUid, string Container), ContainerLog> _logs = new();

    public ContainerLog For(string podUid, string container) => _logs.GetOrAdd((podUid, container), _ => new ContainerLog());

    public ContainerLog? Find(string podUid, string container) => _logs.TryGetValue((podUid, container), out var log) ? log : null;

    public void Forget(string podUid)
    {
        foreach (var key in _logs.Keys.Where(k => k.PodUid == podUid).ToList())
        {
            if (_logs.TryRemove(key, out var log))
            {
                log.Close();
            }
        }
    }
}

/// <summary>One container's log; followers wait on <see cref="WaitForChangeAsync"/> until the instance ends.</summary>
public sealed class ContainerLog
{
    private readonly Lock _gate = new();
    private List<(DateTimeOffset Time, string Line)> _current = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<(DateTimeOffset Time, string Line)>? Previous { get; private set; }

    /// <summary>Incremented on every restart, so a follower knows its instance has ended.</summary>
    public int Instance { get; private set; }

    public bool Ended { get; private set; }

    public void Append(DateTimeOffset time, string line)
    {
        lock (_gate)
        {
            _current.Add((time, line));
            Signal();
        }
    }

    public (List<(DateTimeOffset Time, string Line)> Lines, int Instance, bool Ended, Task Changed) Snapshot()
    {
        lock (_gate)
        {
            return (_current.ToList(), Instance, Ended, _changed.Task);
        }
    }

    public bool HasOutput
    {
        get
        {
            lock (_gate)
            {
                return _current.Count > 0 || Previous is not null || Instance > 0;
            }
        }
    }

    /// <summary>The container instance terminated: followers stop after the last line.</summary>
    public void End()
    {
        lock (_gate)
        {
            Ended = true;
            Signal();
        }
    }

    /// <summary>A new instance starts: the old lines become <c>previous=true</c>.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            Previous = _current;
            _current = [];
            Instance++;
            Ended = false;
            Signal();
        }
    }

    public void Close() => End();

    public Task WaitForChangeAsync() => Snapshot().Changed;

    private void Signal()
    {
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }
}
