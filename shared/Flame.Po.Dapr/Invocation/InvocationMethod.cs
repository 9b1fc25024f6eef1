namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// A method an app offers to other apps. The same handler serves both transports: the embedded invoker calls
/// it in process; in Dapr mode the app maps it as an HTTP route the sidecar forwards to.
/// </summary>
public sealed record InvocationMethod(
    string AppId,
    HttpMethod Method,
    string Path,
    Func<IServiceProvider, InvocationRequest, CancellationToken, Task<InvocationResponse>> Handler);
