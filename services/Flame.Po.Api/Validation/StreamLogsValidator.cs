using System.Text.Json;
using Flame.Po.Api.Contracts;
using Flame.Po.Core.Analyses;
using Flame.Po.Integrations.Hub;

namespace Flame.Po.Api.Validation;

/// <summary>
/// Checks a stream_logs body field by field (docs/compatibility.md#stream-logs): the old service answered a wrong
/// level with 422 but let any status through to fail later with a 500 in the Hub client, and never checked the
/// progress. The log text itself is free: newlines and any Unicode are a log's business.
/// </summary>
public static class StreamLogsValidator
{
    public static (StreamLogsRequest? Request, Dictionary<string, string[]> Errors) Validate(JsonElement body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return (null, errors);
        }

        var log = String(body, "log", errors);
        var level = OneOf(body, "log_type", HubEnumerations.LogLevels, errors);
        var status = OneOf(body, "status", ReportedStatuses, errors);
        var analysisId = String(body, "analysis_id", errors);
        if (analysisId is not null && !AnalysisIds.TryNormalize(analysisId, out analysisId))
        {
            errors["analysis_id"] = ["must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"];
        }

        var progress = Progress(body, errors);
        return errors.Count > 0
            ? (null, errors)
            : (new StreamLogsRequest { Log = log!, LogType = level!, AnalysisId = analysisId!, Status = status!, Progress = progress }, errors);
    }

    /// <summary>The Hub's execution statuses plus <c>stuck</c>, which analyses report and the Hub records as failed.</summary>
    public static IReadOnlySet<string> ReportedStatuses { get; } = new HashSet<string>(HubEnumerations.ExecutionStatuses.Append(AnalysisStatus.Stuck), StringComparer.Ordinal);

    private static string? String(JsonElement body, string field, Dictionary<string, string[]> errors)
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

        return element.GetString();
    }

    private static string? OneOf(JsonElement body, string field, IReadOnlySet<string> allowed, Dictionary<string, string[]> errors)
    {
        var value = String(body, field, errors);
        if (value is not null && !allowed.Contains(value))
        {
            errors[field] = [$"must be one of {string.Join(", ", allowed.Order(StringComparer.Ordinal))}"];
            return null;
        }

        return value;
    }

    private static int? Progress(JsonElement body, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty("progress", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
        {
            errors["progress"] = ["must be a whole number"];
            return null;
        }

        if (value is < 0 or > 100)
        {
            errors["progress"] = ["must be between 0 and 100"];
            return null;
        }

        return value;
    }
}
