using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// Samples every analysis record a few times a second and keeps, per analysis, the statuses it went through (a gone
/// record as null): the run checks that no terminal status was ever replaced and no deleted analysis came back.
/// </summary>
public sealed class StatusMonitor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, List<string?>> _seen = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _samples;
    private int _errors;

    public StatusMonitor(AnalysisRepository repository, IReadOnlyCollection<string> analysisIds, TimeSpan interval)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var records = (await repository.ListAsync(activeOnly: false, _stop.Token)).ToDictionary(s => s.Record.AnalysisId, s => s.Record.Status, StringComparer.Ordinal);
                    lock (_seen)
                    {
                        _samples++;
                        foreach (var id in analysisIds)
                        {
                            var status = records.GetValueOrDefault(id);
                            if (!_seen.TryGetValue(id, out var statuses))
                            {
                                if (status is null)
                                {
                                    continue;
                                }

                                _seen[id] = statuses = [];
                            }

                            if (statuses.Count == 0 || statuses[^1] != status)
                            {
                                statuses.Add(status);
                            }
                        }
                    }
                }
                catch (Exception) when (!_stop.IsCancellationRequested)
                {
                    // A sample may fail (e.g. a record written between the index read and the bulk read); the next one counts.
                    Interlocked.Increment(ref _errors);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public int Samples => _samples;

    public int Errors => _errors;

    public IReadOnlyDictionary<string, IReadOnlyList<string?>> Statuses
    {
        get
        {
            lock (_seen)
            {
                return _seen.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string?>)kv.Value.ToList(), StringComparer.Ordinal);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
