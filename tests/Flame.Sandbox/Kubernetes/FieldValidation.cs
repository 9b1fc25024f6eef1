using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Kubernetes.Schema;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The <c>fieldValidation</c> directive of writes (default Warn, as on the apiserver since 1.27): unknown fields are
/// always dropped, as decoding into a typed object drops them; Warn reports each in a <c>Warning</c> header, Strict
/// refuses the write. Creates and updates answer 400 (the decoder's error), patches 422 (the patched object's).
/// </summary>
public sealed class FieldValidation
{
    private static readonly string[] Supported = ["", "Ignore", "Strict", "Warn"];

    private readonly string _directive;
    private readonly HttpResponse _response;

    private FieldValidation(string directive, HttpResponse response)
    {
        _directive = directive;
        _response = response;
    }

    /// <param name="optionsKind">CreateOptions, UpdateOptions or PatchOptions, for the 422 of an unsupported value.</param>
    public static FieldValidation Of(HttpContext context, string optionsKind)
    {
        var value = context.Request.Query["fieldValidation"].ToString();
        if (!Supported.Contains(value, StringComparer.Ordinal))
        {
            throw new ApiException(422, "Invalid", $"{optionsKind}.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"{value}\": supported values: {string.Join(", ", Supported.Select(s => $"\"{s}\""))}");
        }

        return new FieldValidation(value.Length == 0 ? "Warn" : value, context.Response);
    }

    /// <summary>A create or update body, after its apiVersion/kind were resolved.</summary>
    public void CheckBody(ResourceKind kind, JsonObject body)
    {
        var unknown = UnknownFields.Prune(body, ModelTypes.For(kind));
        if (unknown.Count > 0 && _directive == "Strict")
        {
            throw ApiException.BadRequest($"{kind.Kind} in version \"{kind.Version}\" cannot be handled as a {kind.Kind}: {StrictError(unknown)}");
        }

        Warn(unknown);
    }

    /// <summary>The object a patch produced; <paramref name="shownValue"/> is what the 422 quotes (the object or the patch).</summary>
    public void CheckPatched(ResourceKind kind, JsonObject patched, Func<string> shownValue)
    {
        var shown = _directive == "Strict" ? shownValue() : "";
        var unknown = UnknownFields.Prune(patched, ModelTypes.For(kind));
        if (unknown.Count > 0 && _directive == "Strict")
        {
            var field = "patch";
            var message = $"Invalid value: {Quote(shown)}: {StrictError(unknown)}";
            var details = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = message, ["field"] = field }),
            };
            throw new ApiException(422, "Invalid", $" \"\" is invalid: {field}: {message}", details);
        }

        Warn(unknown);
    }

    private void Warn(List<string> unknown)
    {
        if (_directive != "Warn")
        {
            return;
        }

        foreach (var path in unknown)
        {
            _response.Headers.Append("Warning", $"299 - {Quote($"unknown field \"{path}\"")}");
        }
    }

    /// <summary>A JSON value as Go's <c>%+v</c> prints the decoded map (what a strategic-merge 422 quotes).</summary>
    public static string GoValue(JsonNode? node) => node switch
    {
        JsonObject obj => "map[" + string.Join(" ", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{GoValue(p.Value)}")) + "]",
        JsonArray array => "[" + string.Join(" ", array.Select(GoValue)) + "]",
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        null => "<nil>",
        _ => node.ToJsonString(),
    };

    private static string StrictError(List<string> unknown) =>
        "strict decoding error: " + string.Join(", ", unknown.Select(p => $"unknown field \"{p}\""));

    /// <summary>Go's strconv.Quote for the printable ASCII the messages hold.</summary>
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                _ when c < ' ' => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
