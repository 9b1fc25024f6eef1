namespace Flame.Sandbox.Hub;

/// <summary>Records every Hub request (method, path, query, body, answer code, time) for assertions.</summary>
public sealed class HubRecorder(HubState hub, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next, string pathWithinHub)
    {
        context.Request.EnableBuffering();
        string? body;
        using (var reader = new StreamReader(context.Request.Body, leaveOpen: true))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        context.Request.Body.Position = 0;
        try
        {
            await next();
        }
        finally
        {
            hub.Record(new HubCall(context.Request.Method, pathWithinHub, context.Request.QueryString.Value ?? "", body.Length == 0 ? null : body, context.Response.StatusCode, time.GetUtcNow()));
        }
    }
}
