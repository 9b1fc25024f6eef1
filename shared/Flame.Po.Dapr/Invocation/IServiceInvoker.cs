namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// Calls a method of another app (Dapr service invocation). Raises <see cref="ServiceUnavailableException"/>
/// when the target app cannot be reached; any answer of the target, including 4xx/5xx, is returned as is.
/// </summary>
public interface IServiceInvoker
{
    Task<InvocationResponse> InvokeAsync(string appId, InvocationRequest request, CancellationToken cancellationToken);
}
