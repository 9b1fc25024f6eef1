using System.Text.Json;
using Flame.Po.Api.Contracts;
using Flame.Po.Core.Analyses;

namespace Flame.Po.Api.Validation;

/// <summary>
/// Checks a create body field by field before anything is invoked (docs/compatibility.md#b6). Values end up in
/// Kubernetes names, Secrets and nginx directives, so control characters are refused everywhere and the registry and
/// image must look like what they claim to be; the limits and shapes are the lifecycle's too (<see cref="AnalysisLimits"/>). Unknown fields are ignored, as before.
/// </summary>
public static class CreateAnalysisValidator
{
    public static (CreateAnalysisRequest? Request, Dictionary<string, string[]> Errors) Validate(JsonElement body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return (null, errors);
        }

        var analysisId = Uuid(body, "analysis_id", errors);
        var projectId = Uuid(body, "project_id", errors);
        var registry = Text(body, "registry_url", AnalysisLimits.RegistryLength, errors, AnalysisLimits.IsRegistryReference);
        var image = Text(body, "image_url", AnalysisLimits.ImageLength, errors, AnalysisLimits.IsImageReference);
        var user = Text(body, "registry_user", AnalysisLimits.SecretLength, errors);
        var password = Text(body, "registry_password", AnalysisLimits.SecretLength, errors);
        var kong = Text(body, "kong_token", AnalysisLimits.SecretLength, errors);
        var counter = Integer(body, "restart_counter", 0, AnalysisLimits.MaxPreviousRestartCounter, errors);
        var progress = Integer(body, "progress", 0, AnalysisLimits.MaxProgress, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new CreateAnalysisRequest
        {
            AnalysisId = analysisId!,
            ProjectId = projectId!,
            RegistryUrl = registry!,
            ImageUrl = image!,
            RegistryUser = user!,
            RegistryPassword = password!,
            KongToken = kong!,
            RestartCounter = counter,
            Progress = progress,
        }, errors);
    }

    private static string? Uuid(JsonElement body, string field, Dictionary<string, string[]> errors)
    {
        var value = Text(body, field, 36, errors);
        if (value is null)
        {
            return null;
        }

        if (!AnalysisIds.TryNormalize(value, out var normalized))
        {
            errors[field] = ["must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"];
        }

        return normalized;
    }

    private static string? Text(JsonElement body, string field, int maxLength, Dictionary<string, string[]> errors, Func<string, bool>? shape = null)
    {
        if (!body.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            errors[field] = ["is required"];
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            errors[field] = ["must be a string"];
            return null;
        }

        var value = element.GetString()!;
        string? problem = value.Length == 0 ? "must not be empty"
            : value.Length > maxLength ? $"must be at most {maxLength} characters"
            : value.Any(char.IsControl) ? "must not contain control characters such as newlines"
            : shape is not null && !shape(value) ? ShapeMessage(field)
            : null;
        if (problem is not null)
        {
            errors[field] = [problem];
            return null;
        }

        return value;
    }

    private static int Integer(JsonElement body, string field, int min, int max, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
        {
            errors[field] = ["must be a whole number"];
            return 0;
        }

        if (value < min || value > max)
        {
            errors[field] = [$"must be between {min} and {max}"];
        }

        return value;
    }

    private static string ShapeMessage(string field) => field == "image_url"
        ? "must be an image reference such as registry.example.org/project/image:tag"
        : "must be a registry host name with optional scheme, port and path";
}
