using System.Text.Json;
using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// The embedded counterpart of a per-replica consumer group: every host listens on PostgreSQL's
/// <c>NOTIFY</c> channel <see cref="Channel"/>, on which <see cref="OutboxEventBus"/> announces each message it
/// stores, and hands it to its own subscriptions on <see cref="Topics.EveryReplicaPubSubName"/> (the Api's
/// <c>/po/events</c> relay). Live only, like those subscribers: a host that is down misses what it did not see.
/// </summary>
public sealed class FanOutListener(
    NpgsqlDataSource dataSource, DatabaseStatus database, SubscriptionCatalog subscriptions, AppChannelClient channel, IHostApplicationLifetime lifetime, ILogger<FanOutListener> logger)
    : BackgroundService
{
    public const string Channel = "flame_po_events";

    private volatile bool _listening;

    /// <summary>
    /// True while this host listens on <see cref="Channel"/>: only then does it see the events every replica must
    /// stream, so readiness waits for it (<see cref="FanOutHealthCheck"/>).
    /// </summary>
    public bool Listening => _listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await OutboxEventBus.WaitUntilServingAsync(lifetime, database, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ListenAsync(stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    logger.LogWarning("Listening for events to fan out failed; listening again shortly: {reason}", DatabaseErrors.Describe(e));
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        var received = System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });
        connection.Notification += (_, e) => received.Writer.TryWrite(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        _listening = true;
        var delivering = DeliverAllAsync(received.Reader, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await connection.WaitAsync(stoppingToken);
            }
        }
        finally
        {
            _listening = false;
            received.Writer.TryComplete();
            await delivering;
            await StopListeningAsync(connection);
        }
    }

    /// <summary>
    /// Pooled connections are not reset when they return to the pool (PostgresSettings), so the LISTEN ends here, before
    /// this connection serves anyone else; a broken connection is discarded by the pool anyway.
    /// </summary>
    private static async Task StopListeningAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection) { CommandTimeout = 5 };
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The connection is broken or busy: the pool does not hand it out again.
        }
    }

    private async Task DeliverAllAsync(System.Threading.Channels.ChannelReader<string> payloads, CancellationToken stoppingToken)
    {
        await foreach (var payload in payloads.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                var message = JsonSerializer.Deserialize<CloudEvent>(payload)!;
                foreach (var route in await subscriptions.RoutesAsync(Topics.EveryReplicaPubSubName, message.Topic, stoppingToken))
                {
                    if (await channel.DeliverAsync(route, message, stoppingToken) == EventOutcome.Retry)
                    {
                        logger.LogWarning("Message {message_id} asked for redelivery on {route}; fan-out deliveries are live only", message.Id, route);
                    }
                }
            }
            catch (Exception e) when (e is JsonException or HttpRequestException or OperationCanceledException)
            {
                subscriptions.Invalidate();
                logger.LogWarning("A fanned-out event was not delivered: {reason}", e.Message);
            }
        }
    }
}
