using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.State;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// Base of the typed clients one service uses to call another's internal routes. The transport (the Dapr
/// sidecar, or the host's own local channel) is chosen by <see cref="ServiceClientExtensions.AddServiceClient{TClient}"/>;
/// this class only maps answers, the same way in both modes: a 2xx body is read as the contract type, a
/// problem whose <c>type</c> is one of <see cref="ServiceProblemTypes"/> keeps its kind, and everything else —
/// no connection, a timeout, a sidecar's own error (access denied, target not found), a route that does not
/// exist — means the service is unavailable, which the caller did not cause.
/// </summary>
public abstract class ServiceClient(HttpClient http, ILogger logger, string serviceName)
{
    protected Task<ServiceAnswer<T>> GetAsync<T>(string route, CancellationToken cancellationToken)
        where T : class => SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, route.TrimStart('/')), cancellationToken);

    protected Task<ServiceAnswer<T>> PostAsync<T>(string route, object body, CancellationToken cancellationToken)
        where T : class => SendAsync<T>(
            new HttpRequestMessage(HttpMethod.Post, route.TrimStart('/')) { Content = JsonContent.Create(body, body.GetType(), options: StateJson.Options) },
            cancellationToken);

    private async Task<ServiceAnswer<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
        where T : class
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                logger.LogWarning("The {service} service cannot be reached for {route}: {reason}", serviceName, request.RequestUri, e.Message);
                return Unavailable<T>();
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("The {service} service did not answer {route} in time", serviceName, request.RequestUri);
                return Unavailable<T>();
            }

            using (response)
            {
                return response.IsSuccessStatusCode
                    ? await ReadAsync<T>(response, request, cancellationToken)
                    : await ReadProblemAsync<T>(response, request, cancellationToken);
            }
        }
    }

    private async Task<ServiceAnswer<T>> ReadAsync<T>(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            if (await response.Content.ReadFromJsonAsync<T>(StateJson.Options, cancellationToken) is { } value)
            {
                return ServiceAnswer.Of(value);
            }
        }
        catch (JsonException)
        {
        }

        logger.LogError("The {service} service answered {route} with a body that is not a {type}", serviceName, request.RequestUri, typeof(T).Name);
        return Unavailable<T>();
    }

    private async Task<ServiceAnswer<T>> ReadProblemAsync<T>(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
        where T : class
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = (int)response.StatusCode;
        string? type = null, detail = null, errorCode = null;
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                type = StringProperty(json.RootElement, "type");
                detail = StringProperty(json.RootElement, "detail");
                errorCode = StringProperty(json.RootElement, "errorCode");
            }
        }
        catch (JsonException)
        {
        }

        if (ServiceProblemTypes.TryParse(type, status, out var kind))
        {
            return ServiceAnswer.Failed<T>(kind, detail);
        }

        if (errorCode is not null)
        {
            // daprd's own error: the target app is unknown or down, or access control refused the call.
            var level = response.StatusCode == HttpStatusCode.Forbidden ? LogLevel.Error : LogLevel.Warning;
            logger.Log(level, "The Dapr sidecar could not call the {service} service for {route}: {status} {code}", serviceName, request.RequestUri, status, errorCode);
        }
        else
        {
            logger.LogError("The {service} service answered {route} with an unexpected {status}", serviceName, request.RequestUri, status);
        }

        return Unavailable<T>();
    }

    private ServiceAnswer<T> Unavailable<T>()
        where T : class => ServiceAnswer.Failed<T>(ServiceProblemKind.Unavailable, $"The {serviceName} service cannot be reached; try again later.");

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
