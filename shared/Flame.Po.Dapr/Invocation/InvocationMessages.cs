using System.Text.Json;
using Flame.Po.Dapr.State;

namespace Flame.Po.Dapr.Invocation;

/// <summary>A call to a method of another app: what Dapr forwards as <c>{verb} /{path}</c> to the target app.</summary>
public sealed record InvocationRequest(HttpMethod Method, string Path, JsonElement? Body = null)
{
    public T GetBody<T>() => Body is { } body
        ? body.Deserialize<T>(StateJson.Options) ?? throw new JsonException($"Invocation of {Path} carries a null body.")
        : throw new JsonException($"Invocation of {Path} carries no body.");
}

/// <summary>The target's answer; the status code passes through unchanged, as with Dapr.</summary>
public sealed record InvocationResponse(int StatusCode, JsonElement? Body = null)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public static InvocationResponse Ok<T>(T body) => new(200, StateJson.ToElement(body));

    public static InvocationResponse NotFound(string path) =>
        new(404, StateJson.ToElement(new { title = "No such method", detail = $"The target app has no method '{path}'." }));
}
