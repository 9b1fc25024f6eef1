using System.Text.Json;
using Flame.Po.Core;
using Flame.Po.Dapr.Faults;
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
/// <c>event_outbox</c> and returns; a background loop delivers it, in publishing order, to every subscription
/// route of its topic that the host announces on <c>GET /dapr/subscribe</c>, over the host's own app channel, and
/// forgets it once each route answered SUCCESS or DROP. A message is delivered at least once, also when the host is killed between
/// publishing and delivering; a failed delivery is retried with exponential back-off up to
/// <c>PUBSUB_MAX_ATTEMPTS</c> (then logged as an error and dropped), with no ordering guarantee, like Dapr.
/// Subscribers are idempotent, so a redelivery after a crash changes nothing.
/// </summary>
public sealed class OutboxEventBus(
    NpgsqlDataSource dataSource,
    DatabaseStatus database,
    AppChannelClient channel,
    SubscriptionCatalog subscriptions,
    IHostApplicationLifetime lifetime,
    IOptions<BuildingBlockSettings> identity,
    IOptions<EventBusSettings> settings,
    TimeProvider time,
    FaultPoints faults,
    ILogger<OutboxEventBus> logger) : BackgroundService, IEventPublisher
{
    private const int BatchSize = 64;
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);
    private readonly PublishedSignal _published = new();

    public async Task PublishAsync<T>(string topic, T data, CancellationToken cancellationToken)
    {
        var message = CloudEvent.Create(identity.Value.AppId, Topics.PubSubName, topic, data, time.GetUtcNow());
        try
        {
            // Stored for the competing subscriptions; announced (on commit) to every host for the per-replica ones.
            var json = JsonSerializer.Serialize(message);
            await using var insert = dataSource.CreateCommand(
                $"""
                WITH stored AS (INSERT INTO event_outbox (message_id, topic, message) VALUES ($1, $2, $3::jsonb) RETURNING id)
                SELECT pg_notify('{FanOutListener.Channel}', $3) FROM stored WHERE octet_length($3) < 8000
                """);
            insert.Parameters.Add(new NpgsqlParameter { Value = message.Id });
            insert.Parameters.Add(new NpgsqlParameter { Value = topic });
            insert.Parameters.Add(new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Text });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw new EventPublishException($"The event outbox did not take the message for '{topic}': {DatabaseErrors.Describe(e)}", e);
        }

        _published.Notify();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WaitUntilServingAsync(lifetime, database, stoppingToken);
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

    /// <summary>Deliveries go to this host's own routes: wait until it serves them and the table exists.</summary>
    internal static async Task WaitUntilServingAsync(IHostApplicationLifetime lifetime, DatabaseStatus database, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        while (!await database.WaitForMigrationAsync(TimeSpan.FromSeconds(5), stoppingToken))
        {
        }
    }

    /// <summary>
    /// Delivers the messages that are due; returns how many it handled. The batch stays locked (<c>FOR UPDATE SKIP
    /// LOCKED</c>) in one transaction while it is delivered: a second host on the database skips it, and a host
    /// that dies mid-batch releases it at once, so it is delivered again.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var batch = await ClaimAsync(connection, transaction, cancellationToken);
            if (batch.Count == 0)
            {
                return 0;
            }

            faults.Reach(FaultPoints.BeforeEventDelivery);
            // One at a time, in publishing order: subscribers see a healthy stream in order (only a redelivery
            // can overtake), as with the bus this one replaced.
            foreach (var pending in batch)
            {
                await RecordAsync(connection, transaction, pending, await DeliverAsync(pending, cancellationToken), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return batch.Count;
        }
        catch (Exception e) when (e is NpgsqlException or HttpRequestException or TimeoutException or JsonException)
        {
            subscriptions.Invalidate();
            logger.LogWarning("The embedded event bus could not deliver; retrying shortly: {reason}", DatabaseErrors.Describe(e));
            await Task.Delay(IdleWait, time, cancellationToken);
            return 0;
        }
    }

    private static async Task<List<PendingMessage>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var claim = new NpgsqlCommand(
            """
            SELECT id, topic, message::text, pending_routes, attempts FROM event_outbox
            WHERE next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            """,
            connection,
            transaction);
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
                reader.GetInt32(4) + 1));
        }

        return batch;
    }

    /// <summary>Delivers to every route still pending; returns the routes that asked for redelivery.</summary>
    private async Task<string[]> DeliverAsync(PendingMessage pending, CancellationToken cancellationToken)
    {
        var left = new List<string>();
        foreach (var route in pending.Routes ?? await subscriptions.RoutesAsync(Topics.PubSubName, pending.Topic, cancellationToken))
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
            return [];
        }

        return [.. left];
    }

    private async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PendingMessage pending, string[] left, CancellationToken cancellationToken)
    {
        if (left.Length == 0)
        {
            await using var delete = new NpgsqlCommand("DELETE FROM event_outbox WHERE id = $1", connection, transaction);
            delete.Parameters.Add(new NpgsqlParameter { Value = pending.Id });
            await delete.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var retry = new NpgsqlCommand(
            "UPDATE event_outbox SET pending_routes = $2, attempts = $3, next_attempt_at = now() + $4 WHERE id = $1", connection, transaction);
        retry.Parameters.Add(new NpgsqlParameter { Value = pending.Id });
        retry.Parameters.Add(new NpgsqlParameter { Value = left, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        retry.Parameters.Add(new NpgsqlParameter { Value = pending.Attempts });
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

    /// <summary>Wakes the delivery loop when this host published.</summary>
    private sealed class PublishedSignal : WakeSignal;
}
