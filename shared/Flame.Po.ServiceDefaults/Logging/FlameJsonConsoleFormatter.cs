using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Flame.Po.ServiceDefaults.Logging;

/// <summary>
/// One JSON object per line with the old service's keys (docs/compatibility.md#po-logs) — <c>timestamp</c>,
/// <c>level</c>, <c>logger</c>, <c>msg</c>, <c>error</c> — plus every structured field of the message and its scopes
/// (<c>analysis_id</c>, <c>deployment</c>, <c>action</c>, …). Every field name is written in snake_case
/// (<see cref="FieldName"/>: a template's <c>{AnalysisId}</c> and a scope's <c>analysis_id</c> are one field, written
/// once), so templates keep .NET's naming and queries see one spelling. Secret values are masked by
/// <see cref="SecretRedactor"/>.
/// </summary>
public sealed class FlameJsonConsoleFormatter(IOptionsMonitor<FlameJsonFormatterOptions> options)
    : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "flame-json";

    private const string OriginalFormat = "{OriginalFormat}";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HashSet<string> ReservedKeys = ["timestamp", "level", "logger", "msg", "error", "category"];

    // Field names come from message templates and scopes, a small fixed set; the bound only guards against a caller
    // that makes up names at run time.
    private static readonly ConcurrentDictionary<string, string> FieldNames = new(StringComparer.Ordinal);
    private const int FieldNameCacheLimit = 4096;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var redactor = options.CurrentValue.Redactor;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.Now.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
            json.WriteString("level", LevelName(logEntry.LogLevel, logEntry.EventId));
            json.WriteString("logger", logEntry.Category);
            json.WriteString("msg", redactor.Redact(message));
            if (logEntry.Exception is { } exception)
            {
                json.WriteString("error", redactor.Redact(exception.ToString()));
            }

            if (CategoryOf(logEntry.LogLevel, logEntry.EventId) is { } category)
            {
                json.WriteString("category", category);
            }

            var written = new HashSet<string>(ReservedKeys, StringComparer.Ordinal);
            if (logEntry.Exception is null)
            {
                // Without an exception, a template's {Error} is the line's error field.
                written.Remove("error");
            }

            WriteFields(json, logEntry.State as IEnumerable<KeyValuePair<string, object?>>, written, redactor);
            scopeProvider?.ForEachScope(
                (scope, state) => WriteFields(state.json, scope as IEnumerable<KeyValuePair<string, object?>>, state.written, state.redactor),
                (json, written, redactor));
            json.WriteEndObject();
        }

        textWriter.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        textWriter.Write('\n');
    }

    /// <summary>Python-style level names, as the service we replace wrote them; ACTION/STATUS_LOOP by event id.</summary>
    public static string LevelName(LogLevel level, EventId eventId) => level switch
    {
        LogLevel.Information when eventId.Id == LogEvents.Action.Id => "ACTION",
        LogLevel.Information when eventId.Id == LogEvents.StatusLoop.Id => "STATUS_LOOP",
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRITICAL",
        _ => "NONE",
    };

    private static string? CategoryOf(LogLevel level, EventId eventId) => LevelName(level, eventId) switch
    {
        "ACTION" => "action",
        "STATUS_LOOP" => "status_loop",
        _ => null,
    };

    /// <summary>
    /// The snake_case spelling of a field: <c>AnalysisId</c> → <c>analysis_id</c>, <c>DurationMs</c> →
    /// <c>duration_ms</c>, <c>building_blocks</c> unchanged; a leading <c>@</c> or <c>$</c> (template operators) is dropped.
    /// </summary>
    public static string FieldName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (FieldNames.TryGetValue(name, out var known))
        {
            return known;
        }

        var converted = JsonNamingPolicy.SnakeCaseLower.ConvertName(name.TrimStart('@', '$'));
        if (FieldNames.Count < FieldNameCacheLimit)
        {
            FieldNames.TryAdd(name, converted);
        }

        return converted;
    }

    private static void WriteFields(
        Utf8JsonWriter json, IEnumerable<KeyValuePair<string, object?>>? fields, HashSet<string> written, SecretRedactor redactor)
    {
        if (fields is null)
        {
            return;
        }

        foreach (var (field, value) in fields)
        {
            // The first occurrence wins: message fields before scope fields, inner scopes before outer ones.
            if (field == OriginalFormat)
            {
                continue;
            }

            var key = FieldName(field);
            if (!written.Add(key))
            {
                continue;
            }

            switch (value)
            {
                case null:
                    json.WriteNull(key);
                    break;
                case bool b:
                    json.WriteBoolean(key, b);
                    break;
                case int or long or short or byte or uint or ulong or ushort:
                    json.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    break;
                case double or float or decimal:
                    json.WriteNumber(key, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    break;
                case DateTimeOffset time:
                    json.WriteString(key, time);
                    break;
                case TimeSpan span:
                    json.WriteNumber(key, span.TotalSeconds);
                    break;
                default:
                    json.WriteString(key, redactor.Redact(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));
                    break;
            }
        }
    }
}
