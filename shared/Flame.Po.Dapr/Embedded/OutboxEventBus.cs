using System.Text.Json;
using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// The embedded pub/sub (<c>--target all</c>), durable: <see cref="PublishAsync{T}"/> stores the CloudEvent in
/// <c>event_outbox</c> and returns; a background loop delivers it to every subscription route of its topic that
/// the host announces on <c>GET /dapr/subscribe</c>, over the host's own app channel, and forgets it once each
/// route answered SUCCESS or DROP. A message is delivered at least once, also when the host is killed between
/// publishing and delivering; a failed delivery is retried with exponential back-off up to
/// <c>PUBSUB_MAX_ATTEMPTS</c> (then logged as an error and dropped), with no ordering guarantee, like Dapr.
/// Subscribers are idempotent, so a redelivery after a crash changes nothing.
/// </summary>
public sealed class OutboxEventBus(
    NpgsqlDataSource dataSource,
    DatabaseStatus database,
    AppChannelClient channel,
    IHostApplicationLifetime lifetime,
    IOptions<BuildingBlockSettings> identity,
    IOptions<EventBusSettings> settings,
    TimeProvider time,
    ILogger<OutboxEventBus> logger) : BackgroundService, IEventPublisher
{
    private const int BatchSize = 64;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _published = new(0, 1);
    private ILookup<string, string>? _subscriptions;

    public async Task PublishAsync<T>(string topic, T data, CancellationToken cancellationToken)
    {
        var message = CloudEvent.Create(identity.Value.AppId, Topics.PubSubName, topic, data, time.GetUtcNow());
        try
        {
            await using var insert = dataSource.CreateCommand("INSERT INTO event_outbox (message_id, topic, message) VALUES ($1, $2, $3)");
            insert.Parameters.Add(new NpgsqlParameter { Value = message.Id });
            insert.Parameters.Add(new NpgsqlParameter { Value = topic });
            insert.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(message), NpgsqlDbType = NpgsqlDbType.Jsonb });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw new EventPublishException($"The event outbox did not take the message for '{topic}': {DatabaseErrors.Describe(e)}", e);
        }

        Wake();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Deliveries go to this host's own routes: wait until it serves them and the table exists.
            await Task.Delay(Timeout.Infinite, lifetime.ApplicationStarted).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(stoppingToken);
            while (!await database.WaitForMigrationAsync(TimeSpan.FromSeconds(5), stoppingToken))
            {
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                var delivered = await RunOnceAsync(stoppingToken);
                if (delivered == 0)
                {
                    await _published.WaitAsync(IdleWait, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Delivers the messages that are due; returns how many it handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            _subscriptions ??= await channel.GetSubscriptionsAsync(cancellationToken);
            var batch = await ClaimAsync(cancellationToken);
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, DeliverAsync);
            return batch.Count;
        }
        catch (Exception e) when (e is NpgsqlException or HttpRequestException or TimeoutException or JsonException)
        {
            _subscriptions = null;
            logger.LogWarning("The embedded event bus could not deliver; retrying shortly: {reason}", DatabaseErrors.Describe(e));
            await Task.Delay(IdleWait, time, cancellationToken);
            return 0;
        }
    }

    private void Wake()
    {
        try
        {
            _published.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    /// <summary>Takes due messages for <see cref="Lease"/>, so a second host on the same database skips them.</summary>
    private async Task<List<PendingMessage>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var claim = dataSource.CreateCommand(
            """
            UPDATE event_outbox SET next_attempt_at = now() + $1, attempts = attempts + 1
            WHERE id IN (SELECT id FROM event_outbox WHERE next_attempt_at <= now() ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, topic, message::text, pending_routes, attempts
            """);
        claim.Parameters.Add(new NpgsqlParameter { Value = Lease });
        claim.Parameters.Add(new NpgsqlParameter { Value = BatchSize });
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        var batch = new List<PendingMessage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            batch.Add(new PendingMessage(
                reader.GetInt64(0),
                reader.GetString(1),
                JsonSerializer.Deserialize<CloudEvent>(reader.GetString(2))!,
                reader.IsDBNull(3) ? null : reader.GetFieldValue<string[]>(3),
                reader.GetInt32(4)));
        }

        return batch;
    }

    private async ValueTask DeliverAsync(PendingMessage pending, CancellationToken cancellationToken)
    {
        var routes = pending.Routes ?? [.. _subscriptions![pending.Topic]];
        var left = new List<string>();
        foreach (var route in routes)
        {
            var outcome = await TryDeliverAsync(route, pending.Message, cancellationToken);
            if (outcome == EventOutcome.Retry)
            {
                left.Add(route);
            }
            else if (outcome == EventOutcome.Drop)
            {
                logger.LogWarning("Message {message_id} on topic {topic} dropped by {route}", pending.Message.Id, pending.Topic, route);
            }
        }

        if (left.Count > 0 && pending.Attempts >= settings.Value.MaxAttempts)
        {
            logger.LogError("Message {message_id} on topic {topic} not delivered to {routes} after {attempts} attempts; dropping it",
                pending.Message.Id, pending.Topic, string.Join(", ", left), pending.Attempts);
            left.Clear();
        }

        if (left.Count == 0)
        {
            await using var delete = dataSource.CreateCommand("DELETE FROM event_outbox WHERE id = $1");
            delete.Parameters.Add(new NpgsqlParameter { Value = pending.Id });
            await delete.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var retry = dataSource.CreateCommand("UPDATE event_outbox SET pending_routes = $2, next_attempt_at = now() + $3 WHERE id = $1");
        retry.Parameters.Add(new NpgsqlParameter { Value = pending.Id });
        retry.Parameters.Add(new NpgsqlParameter { Value = left.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        retry.Parameters.Add(new NpgsqlParameter { Value = Backoff(pending.Attempts) });
        await retry.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<EventOutcome> TryDeliverAsync(string route, CloudEvent message, CancellationToken cancellationToken)
    {
        try
        {
            return await channel.DeliverAsync(route, message, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Delivering message {message_id} to {route} failed; will retry: {reason}", message.Id, route, e.Message);
            return EventOutcome.Retry;
        }
    }

    private TimeSpan Backoff(int attempts)
    {
        var policy = settings.Value;
        var ticks = policy.InitialBackoff.Ticks * Math.Pow(2, Math.Min(attempts - 1, 20));
        return TimeSpan.FromTicks((long)Math.Min(ticks, policy.MaxBackoff.Ticks));
    }

    public override void Dispose()
    {
        _published.Dispose();
        base.Dispose();
    }

    private sealed record PendingMessage(long Id, string Topic, CloudEvent Message, string[]? Routes, int Attempts);
}
