using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Flame.Po.IntegrationTests.Api;
using Flame.Sandbox;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// The PO's callers during a chaos run: the Hub adapter (create, stop, delete with a management token, retried
/// until the PO answers, as a real caller retries while the PO restarts) and analyses streaming their lines.
/// </summary>
public sealed class ChaosClient(SandboxServer sandbox, Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    private int _commandRetries;

    /// <summary>Command requests that had to be sent again (host down, a 5xx from an injected fault).</summary>
    public int CommandRetries => _commandRetries;

    public Task CreateAsync(PlannedAnalysis analysis, CancellationToken ct) =>
        CommandAsync(() => Request(HttpMethod.Post, "/po/", sandbox.Tokens.Management(), ApiFixture.CreateBody(analysis.Id, analysis.Image)), goneIsDone: false, ct);

    public Task StopAsync(string analysisId, CancellationToken ct) =>
        CommandAsync(() => Request(HttpMethod.Put, $"/po/stop/{analysisId}", sandbox.Tokens.Management(), null), goneIsDone: false, ct);

    /// <summary>A 404 after an earlier attempt means the earlier delete went through and the record is forgotten already.</summary>
    public Task DeleteAsync(string analysisId, CancellationToken ct) =>
        CommandAsync(() => Request(HttpMethod.Delete, $"/po/delete/{analysisId}", sandbox.Tokens.Management(), null), goneIsDone: true, ct);

    /// <summary>
    /// Streams a line as the analysis would. A line without Idempotency-Key is sent once (a blind resend could store
    /// it twice if another line came in between: docs/compatibility.md#stream-logs); a keyed line is retried until
    /// acknowledged, and some are sent once more after the acknowledgement, as a client that missed the answer would.
    /// </summary>
    public async Task<SentLine> StreamAsync(PlannedLine line, DateTime deadline, CancellationToken ct)
    {
        var attempts = 0;
        while (true)
        {
            attempts++;
            var acknowledged = await SendLineAsync(line, ct);
            if (acknowledged && line.ResendAfterAck)
            {
                attempts++;
                await SendLineAsync(line, ct);
            }

            if (acknowledged || line.IdempotencyKey is null || DateTime.UtcNow > deadline)
            {
                return new SentLine(line, acknowledged, attempts);
            }

            await Task.Delay(300, ct);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<bool> SendLineAsync(PlannedLine line, CancellationToken ct)
    {
        var body = new JsonObject { ["log"] = line.Message, ["log_type"] = "info", ["analysis_id"] = line.AnalysisId, ["status"] = "executing" };
        using var request = Request(HttpMethod.Post, "/po/stream_logs", sandbox.Tokens.Analysis(line.AnalysisId), body);
        if (line.IdempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", line.IdempotencyKey);
        }

        try
        {
            using var response = await _http.SendAsync(request, ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task CommandAsync(Func<HttpRequestMessage> request, bool goneIsDone, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            string outcome;
            try
            {
                using var message = request();
                using var response = await _http.SendAsync(message, ct);
                if (response.IsSuccessStatusCode || (goneIsDone && attempt > 1 && response.StatusCode == HttpStatusCode.NotFound))
                {
                    return;
                }

                outcome = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
                if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                {
                    throw new InvalidOperationException($"{message.Method} {message.RequestUri} was refused: {outcome}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                outcome = e.Message;
            }

            Interlocked.Increment(ref _commandRetries);
            if (attempt >= 600)
            {
                throw new TimeoutException($"A command never got through: {outcome}");
            }

            await Task.Delay(250, ct);
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string token, JsonNode? body)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return request;
    }
}
