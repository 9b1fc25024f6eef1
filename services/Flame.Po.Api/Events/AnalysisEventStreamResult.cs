using System.Reflection;
using System.Text;
using System.Text.Json;
using Flame.Po.Api.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Events;

/// <summary>
/// The <c>text/event-stream</c> answer of <c>GET /po/events</c>: <c>id:</c> = event id, <c>event: analysis</c>,
/// <c>data:</c> = one JSON line, and a comment line when nothing happened for a keep-alive period. .NET's own
/// server-sent-events result cannot write comments, hence this small writer. It ends when the client goes away
/// or when the hub drops the stream.
/// </summary>
public sealed class AnalysisEventStreamResult(EventStreamSubscription subscription, TimeSpan keepAlive) : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";
    public const string EventName = "analysis";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        using var owned = subscription;
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx in front of the PO must not hold events back.
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            // The first bytes tell the client that the stream is open before any event exists.
            await WriteAsync(response, ": connected\n\n", aborted);
            await PumpAsync(response, aborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            // The client disconnected: a normal end of a stream.
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && subscription.IsDropped)
        {
            httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<AnalysisEventStreamResult>()
                .LogInformation("Event stream {Stream} ended after it was dropped", subscription.Id);
        }
    }

    private async Task PumpAsync(HttpResponse response, CancellationToken aborted)
    {
        var reader = subscription.Reader;
        while (!aborted.IsCancellationRequested)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            quiet.CancelAfter(keepAlive);
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(quiet.Token);
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                await WriteAsync(response, ": keep-alive\n\n", aborted);
                continue;
            }

            if (!more)
            {
                return;
            }

            var batch = new StringBuilder();
            while (reader.TryRead(out var message))
            {
                batch.Append("id: ").Append(message.EventId).Append('\n')
                    .Append("event: ").Append(EventName).Append('\n')
                    .Append("data: ").Append(JsonSerializer.Serialize(message)).Append("\n\n");
            }

            await WriteAsync(response, batch.ToString(), aborted);
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, Encoding.UTF8, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(AnalysisEventMessage), [ContentType]));
    }
}
