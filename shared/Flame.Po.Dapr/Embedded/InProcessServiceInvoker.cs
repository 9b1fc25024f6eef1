using Flame.Po.Dapr.Invocation;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Dapr.Embedded;

/// <summary>
/// Service invocation inside one process (<c>--target all</c>): the call goes straight to the target's
/// registered handler in a fresh DI scope. An app that was not composed into this process is unavailable.
/// </summary>
public sealed class InProcessServiceInvoker(
    IEnumerable<InvocationMethod> methods, IEnumerable<HostedApp> apps, IServiceScopeFactory scopes) : IServiceInvoker
{
    private readonly HashSet<string> _apps = apps.Select(a => a.AppId).ToHashSet(StringComparer.Ordinal);
    private readonly Dictionary<(string, string, string), InvocationMethod> _methods =
        methods.ToDictionary(m => (m.AppId, m.Method.Method, Normalise(m.Path)));

    public async Task<InvocationResponse> InvokeAsync(string appId, InvocationRequest request, CancellationToken cancellationToken)
    {
        if (!_apps.Contains(appId))
        {
            throw new ServiceUnavailableException(appId, "it does not run in this process (start it with its own --target and a Dapr sidecar)");
        }

        if (!_methods.TryGetValue((appId, request.Method.Method, Normalise(request.Path)), out var method))
        {
            return InvocationResponse.NotFound(request.Path);
        }

        await using var scope = scopes.CreateAsyncScope();
        return await method.Handler(scope.ServiceProvider, request, cancellationToken);
    }

    private static string Normalise(string path) => path.Trim('/');
}
