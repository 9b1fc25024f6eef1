using System.Net;
using System.Net.Http.Headers;

using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Flame.Po.Integrations.Http;

/// <summary>
/// Sends requests to one dependency through its pipeline and turns what retries could not fix into
/// <see cref="IntegrationUnavailableException"/>. Any other answer (2xx, 4xx) is returned for the caller to judge.
/// </summary>
internal sealed class DependencyChannel(string dependency, string displayName, IHttpClientFactory factory, string httpClientName, ResiliencePipeline<HttpResponseMessage> pipeline, Func<IEnumerable<string?>> secrets)
{
    public string Dependency => dependency;

    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, bool idempotent, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(IntegrationPipelines.Idempotent, idempotent);
        try
        {
            var response = await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    using var request = state.build();
                    return await state.http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken);
                },
                context,
                (build, http: factory.CreateClient(httpClientName)));
            if (IntegrationPipelines.IsTransient(response.StatusCode))
            {
                using (response)
                {
                    var text = await ErrorText.ReadAsync(response, secrets(), cancellationToken);
                    throw Unavailable($"{displayName} answered {(int)response.StatusCode} after retries: {text}", null);
                }
            }

            return response;
        }
        catch (BrokenCircuitException e)
        {
            throw Unavailable($"{displayName} is failing; calls are paused until the circuit closes again.", e);
        }
        catch (TimeoutRejectedException e)
        {
            throw Unavailable($"{displayName} did not answer in time.", e);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable($"{displayName} could not be reached: {ErrorText.Mask(e.Message, secrets())}", e);
        }
        catch (IOException e)
        {
            throw Unavailable($"{displayName} could not be reached: {ErrorText.Mask(e.Message, secrets())}", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Sends with the cached bearer token; a 401 means the token was revoked or expired early, so it is renewed
    /// and the request repeated once. A second 401 is returned to the caller.
    /// </summary>
    public async Task<HttpResponseMessage> SendAuthorizedAsync(AccessTokenCache tokens, Func<HttpRequestMessage> build, bool idempotent, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await tokens.GetAsync(cancellationToken);
            var response = await SendAsync(
                () =>
                {
                    var request = build();
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    return request;
                },
                idempotent,
                cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0)
            {
                return response;
            }

            response.Dispose();
            tokens.Invalidate(token);
        }
    }

    /// <summary>Throws <see cref="IntegrationRejectedException"/> for a non-success answer; disposes it then.</summary>
    public async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        using (response)
        {
            throw await RejectedAsync(response, what, cancellationToken);
        }
    }

    public async Task<IntegrationRejectedException> RejectedAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var text = await ErrorText.ReadAsync(response, secrets(), cancellationToken);
        return new IntegrationRejectedException(dependency, response.StatusCode, $"{displayName} rejected {what} with {(int)response.StatusCode} {response.StatusCode}: {text}");
    }

    public IntegrationRejectedException Rejected(HttpStatusCode code, string message) => new(dependency, code, $"{displayName}: {message}");

    private IntegrationUnavailableException Unavailable(string message, Exception? inner) => new(dependency, message, inner);
}
