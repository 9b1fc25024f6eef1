namespace Flame.Po.Dapr.Triggers;

/// <summary>
/// Work run on a schedule: by a <c>PeriodicTimer</c> in the embedded host, by a Dapr cron input binding
/// (<c>POST /{name}</c>) under Dapr. Cron fires on every replica, so a job must tolerate overlapping runs.
/// </summary>
public interface IPeriodicJob
{
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>A job, the binding name it answers to, and its interval.</summary>
public sealed record PeriodicJobRegistration(string Name, Type JobType, Func<IServiceProvider, TimeSpan> Interval);
