using System.Net.Http.Headers;
using System.Text.Json;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>A test client of <c>GET /po/events</c>: reads the <c>text/event-stream</c> answer block by block.</summary>
public sealed class EventStreamReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStreamReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Comment lines seen so far (without the leading colon).</summary>
    public List<string> Comments { get; } = [];

    public static async Task<EventStreamReader> OpenAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/po/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new EventStreamReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event (comments are collected on the way); fails after <paramref name="timeout"/>.</summary>
    public async Task<SseEvent> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? id = null;
        string? name = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    return new SseEvent(id, name, JsonDocument.Parse(string.Join('\n', data)).RootElement.Clone());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                Comments.Add(line[1..].Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
                default:
                    throw new InvalidDataException($"Unexpected event-stream field '{field}'.");
            }
        }
    }

    /// <summary>Events until one matches <paramref name="last"/>; every event read on the way is returned too.</summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> last, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var events = new List<SseEvent>();
        while (true)
        {
            var next = await NextAsync(deadline - DateTime.UtcNow);
            events.Add(next);
            if (last(next))
            {
                return events;
            }
        }
    }

    /// <summary>Reads until a comment equal to <paramref name="comment"/> arrives.</summary>
    public async Task WaitForCommentAsync(string comment, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!Comments.Contains(comment))
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.StartsWith(':'))
            {
                Comments.Add(line[1..].Trim());
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed record SseEvent(string? Id, string? Name, JsonElement Data)
{
    public string AnalysisId => Data.GetProperty("analysis_id").GetString()!;

    public string To => Data.GetProperty("to").GetString()!;
}
