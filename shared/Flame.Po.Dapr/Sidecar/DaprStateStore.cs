using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flame.Po.Dapr.State;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// The state store through the sidecar's state API (reference/dapr.md §2.2). An ETag is always sent with
/// <c>first-write</c>, so it is checked whatever the component's default. Save and delete report an ETag
/// mismatch as 409; a transaction reports it as 500 <c>ERR_STATE_TRANSACTION</c> "possible etag mismatch",
/// which is mapped to <see cref="StateConflictException"/> as well.
/// </summary>
public sealed class DaprStateStore(HttpClient sidecar, IOptions<DaprSettings> settings) : IStateStore
{
    private string Store => Uri.EscapeDataString(settings.Value.StateStore);

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        StateKeys.Validate(key);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"v1.0/state/{Store}/{Uri.EscapeDataString(key)}"), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        await EnsureSuccessAsync(response, key, cancellationToken);
        var etag = response.Headers.TryGetValues("ETag", out var values) ? values.First().Trim('"') : string.Empty;
        var value = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return new StateEntry(key, value, etag);
    }

    public async Task<IReadOnlyList<StateEntry>> GetBulkAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            StateKeys.Validate(key);
        }

        if (keys.Count == 0)
        {
            return [];
        }

        var body = new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode)k)]), ["parallelism"] = 10 };
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"v1.0/state/{Store}/bulk") { Content = JsonContent.Create(body) }, cancellationToken);
        await EnsureSuccessAsync(response, "(bulk)", cancellationToken);
        var items = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return items.EnumerateArray()
            .Where(item => item.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null)
            .Select(item => new StateEntry(
                item.GetProperty("key").GetString()!,
                item.GetProperty("data").Clone(),
                item.TryGetProperty("etag", out var etag) ? etag.GetString() ?? string.Empty : string.Empty))
            .ToList();
    }

    public async Task SaveAsync(string key, JsonElement value, string? etag, StateConcurrency concurrency, CancellationToken cancellationToken)
    {
        StateKeys.Validate(key);
        var body = new JsonArray(StateRequest(key, value, etag, concurrency));
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"v1.0/state/{Store}") { Content = JsonContent.Create(body) }, cancellationToken);
        await EnsureSuccessAsync(response, key, cancellationToken);
    }

    public async Task DeleteAsync(string key, string? etag, CancellationToken cancellationToken)
    {
        StateKeys.Validate(key);
        var uri = $"v1.0/state/{Store}/{Uri.EscapeDataString(key)}" + (etag is null ? string.Empty : "?concurrency=first-write");
        var request = new HttpRequestMessage(HttpMethod.Delete, uri);
        if (etag is not null)
        {
            // Dapr's ETags are opaque and often unquoted, so the header is set without HTTP validation.
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, key, cancellationToken);
    }

    public async Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        foreach (var operation in operations)
        {
            StateKeys.Validate(operation.Key);
        }

        var body = new JsonObject
        {
            ["operations"] = new JsonArray([.. operations.Select(operation => (JsonNode)new JsonObject
            {
                ["operation"] = operation.Kind == StateOperationKind.Upsert ? "upsert" : "delete",
                ["request"] = StateRequest(operation.Key, operation.Value, operation.ETag, operation.Concurrency),
            })]),
        };
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"v1.0/state/{Store}/transaction") { Content = JsonContent.Create(body) }, cancellationToken);
        await EnsureSuccessAsync(response, "(transaction)", cancellationToken);
    }

    private static JsonObject StateRequest(string key, JsonElement? value, string? etag, StateConcurrency concurrency)
    {
        var request = new JsonObject { ["key"] = key };
        if (value is { } v)
        {
            request["value"] = JsonNode.Parse(v.GetRawText());
        }

        if (etag is not null)
        {
            request["etag"] = etag;
        }

        if (etag is not null || concurrency == StateConcurrency.FirstWrite)
        {
            request["options"] = new JsonObject { ["concurrency"] = "first-write" };
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                return await sidecar.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new StateStoreUnavailableException($"Dapr sidecar unreachable: {e.Message}", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new StateStoreUnavailableException("Dapr sidecar did not answer in time", e);
            }
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string key, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var error = await DaprError.ReadAsync(response, cancellationToken);
        throw response.StatusCode switch
        {
            HttpStatusCode.Conflict => new StateConflictException(key),
            HttpStatusCode.InternalServerError when error.IsETagMismatch => new StateConflictException(key),
            HttpStatusCode.BadRequest => new StateStoreException($"State store rejected the request for '{key}': {error.Describe(response.StatusCode)}"),
            _ => new StateStoreUnavailableException($"State store failed for '{key}': {error.Describe(response.StatusCode)}"),
        };
    }
}
