using System.Text.Json.Nodes;

namespace Flame.Sandbox.Tests.Support;

/// <summary>Reads a watch stream line by line.</summary>
public sealed class WatchReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private WatchReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public int StatusCode => (int)_response.StatusCode;

    public static async Task<WatchReader> OpenAsync(HttpClient http, string url)
    {
        var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        return new WatchReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event, or null at the end of the stream.</summary>
    public async Task<JsonNode?> NextAsync()
    {
        var line = await _reader.ReadLineAsync(SandboxHarness.Timeout());
        return line is null ? null : JsonNode.Parse(line);
    }

    /// <summary>The next event that is not a BOOKMARK.</summary>
    public async Task<JsonNode?> NextChangeAsync()
    {
        while (true)
        {
            var evt = await NextAsync();
            if (evt is null || evt.S("type") != "BOOKMARK")
            {
                return evt;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
