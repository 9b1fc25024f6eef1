using System.Net.Http.Json;
using System.Text.Json;
using Flame.Po.Dapr.Invocation;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// Service invocation through the sidecar with the <c>dapr-app-id</c> header (reference/dapr.md §2.1): the
/// call keeps its verb, path and body; the target's status passes through. A Dapr error body (one with an
/// <c>errorCode</c>) means the sidecar could not reach the target.
/// </summary>
public sealed class DaprServiceInvoker(HttpClient sidecar) : IServiceInvoker
{
    public const string AppIdHeader = "dapr-app-id";

    public async Task<InvocationResponse> InvokeAsync(string appId, InvocationRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(request.Method, request.Path.TrimStart('/'));
        message.Headers.Add(AppIdHeader, appId);
        if (request.Body is { } body)
        {
            message.Content = JsonContent.Create(body);
        }

        HttpResponseMessage response;
        try
        {
            response = await sidecar.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ServiceUnavailableException(appId, $"Dapr sidecar unreachable: {e.Message}", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement? json = null;
            if (text.Length > 0)
            {
                try
                {
                    json = JsonDocument.Parse(text).RootElement.Clone();
                }
                catch (JsonException)
                {
                    json = JsonSerializer.SerializeToElement(text);
                }
            }

            if (!response.IsSuccessStatusCode && json is { ValueKind: JsonValueKind.Object } error
                && error.TryGetProperty("errorCode", out var code))
            {
                throw new ServiceUnavailableException(appId, $"Dapr answered {(int)response.StatusCode} {code}");
            }

            return new InvocationResponse((int)response.StatusCode, json);
        }
    }
}
