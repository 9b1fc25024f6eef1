using System.Text.Json;
using Flame.Po.ServiceDefaults.Logging;
using Flame.Po.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flame.Po.Tests.Logging;

public sealed class FlameJsonConsoleFormatterTests
{
    private const string Secret = "pg-Pa55word!";

    [Fact]
    public void Writes_one_json_object_per_line_with_the_po_keys()
    {
        var line = Format(LogLevel.Information, default, "Deleting deployment {deployment} of {analysis_id}",
            ("deployment", "analysis-x-1"), ("analysis_id", "x"));

        line.Should().EndWith("\n");
        line.TrimEnd('\n').Should().NotContain("\n");
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        root.GetProperty("level").GetString().Should().Be("INFO");
        root.GetProperty("logger").GetString().Should().Be("Flame.Test");
        root.GetProperty("msg").GetString().Should().Be("Deleting deployment analysis-x-1 of x");
        root.GetProperty("analysis_id").GetString().Should().Be("x");
        root.GetProperty("deployment").GetString().Should().Be("analysis-x-1");
        DateTimeOffset.TryParse(root.GetProperty("timestamp").GetString(), out _).Should().BeTrue();
        root.TryGetProperty("error", out _).Should().BeFalse();
        root.TryGetProperty("{OriginalFormat}", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(LogLevel.Debug, 0, "DEBUG")]
    [InlineData(LogLevel.Information, 0, "INFO")]
    [InlineData(LogLevel.Warning, 0, "WARNING")]
    [InlineData(LogLevel.Error, 0, "ERROR")]
    [InlineData(LogLevel.Critical, 0, "CRITICAL")]
    [InlineData(LogLevel.Information, 21, "ACTION")]
    [InlineData(LogLevel.Information, 22, "STATUS_LOOP")]
    [InlineData(LogLevel.Warning, 21, "WARNING")]
    public void Names_levels_like_the_old_service_including_action_and_status_loop(LogLevel level, int eventId, string expected) =>
        FlameJsonConsoleFormatter.LevelName(level, new EventId(eventId)).Should().Be(expected);

    [Fact]
    public void Action_lines_carry_a_category_field()
    {
        using var json = JsonDocument.Parse(Format(LogLevel.Information, LogEvents.Action, "checking for running analyses"));

        json.RootElement.GetProperty("level").GetString().Should().Be("ACTION");
        json.RootElement.GetProperty("category").GetString().Should().Be("action");
    }

    [Fact]
    public void Exceptions_go_to_the_error_field()
    {
        var line = Format(LogLevel.Error, default, "failed", exception: new InvalidOperationException("boom"));

        using var json = JsonDocument.Parse(line);
        json.RootElement.GetProperty("error").GetString().Should().Contain("InvalidOperationException").And.Contain("boom");
    }

    [Fact]
    public void Secret_values_are_masked_in_message_fields_and_errors()
    {
        var line = Format(LogLevel.Error, default, $"connecting with {Secret}", exception: new InvalidOperationException($"auth {Secret} failed"),
            fields: ("password", Secret));

        line.Should().NotContain(Secret);
        using var json = JsonDocument.Parse(line);
        json.RootElement.GetProperty("msg").GetString().Should().Be("connecting with ***");
        json.RootElement.GetProperty("password").GetString().Should().Be("***");
        json.RootElement.GetProperty("error").GetString().Should().Contain("auth *** failed");
    }

    [Fact]
    public void Scope_fields_are_included_and_message_fields_win()
    {
        var scopes = new LoggerExternalScopeProvider();
        using var outer = scopes.Push(new Dictionary<string, object?> { ["analysis_id"] = "from-scope", ["action"] = "restart" });

        var line = Format(LogLevel.Information, default, "x {analysis_id}", scopes, null, ("analysis_id", "from-message"));

        using var json = JsonDocument.Parse(line);
        json.RootElement.GetProperty("analysis_id").GetString().Should().Be("from-message");
        json.RootElement.GetProperty("action").GetString().Should().Be("restart");
    }

    [Fact]
    public void Numbers_and_booleans_keep_their_json_types_and_text_keeps_non_ascii()
    {
        var line = Format(LogLevel.Information, default, "Grüße {progress} {ready}", ("progress", 40), ("ready", true));

        using var json = JsonDocument.Parse(line);
        json.RootElement.GetProperty("progress").GetInt32().Should().Be(40);
        json.RootElement.GetProperty("ready").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("msg").GetString().Should().StartWith("Grüße");
    }

    [Fact]
    public void Template_fields_are_written_snake_case_once_next_to_scope_fields_of_the_same_name()
    {
        var scopes = new LoggerExternalScopeProvider();
        using var outer = scopes.Push(new Dictionary<string, object?> { ["analysis_id"] = "from-scope", ["deployment"] = "analysis-x-2", ["TraceId"] = "abc" });

        var line = Format(LogLevel.Information, LogEvents.Action, "Analysis {AnalysisId} ({Status}, {Phase}): {Step} in {DurationMs} ms", scopes, null,
            ("AnalysisId", "from-message"), ("Status", "executing"), ("Phase", "Active"), ("Step", "Wait"), ("DurationMs", 12L));

        using var json = JsonDocument.Parse(line);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        names.Should().OnlyHaveUniqueItems();
        names.Should().OnlyContain(name => name.All(c => !char.IsUpper(c)), "every field is snake_case: {0}", string.Join(", ", names));
        json.RootElement.GetProperty("analysis_id").GetString().Should().Be("from-message", "the message's field wins over the scope's");
        json.RootElement.GetProperty("status").GetString().Should().Be("executing");
        json.RootElement.GetProperty("phase").GetString().Should().Be("Active");
        json.RootElement.GetProperty("step").GetString().Should().Be("Wait");
        json.RootElement.GetProperty("duration_ms").GetInt64().Should().Be(12);
        json.RootElement.GetProperty("deployment").GetString().Should().Be("analysis-x-2");
        json.RootElement.GetProperty("trace_id").GetString().Should().Be("abc");
        json.RootElement.GetProperty("level").GetString().Should().Be("ACTION");
    }

    [Theory]
    [InlineData("AnalysisId", "analysis_id")]
    [InlineData("analysis_id", "analysis_id")]
    [InlineData("DurationMs", "duration_ms")]
    [InlineData("building_blocks", "building_blocks")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("@Record", "record")]
    [InlineData("Error", "error")]
    public void Field_names_are_snake_case(string name, string expected) =>
        FlameJsonConsoleFormatter.FieldName(name).Should().Be(expected);

    [Fact]
    public void A_template_error_is_the_error_field_unless_an_exception_is_logged()
    {
        using (var json = JsonDocument.Parse(Format(LogLevel.Warning, default, "Hub delivery failed: {Error}", ("Error", "connection refused"))))
        {
            json.RootElement.GetProperty("error").GetString().Should().Be("connection refused");
        }

        var line = Format(LogLevel.Error, default, "failed: {Error}", new InvalidOperationException("boom"), ("Error", "text"));
        line.Split("\"error\"").Should().HaveCount(2, "the field is written once");
        using var withException = JsonDocument.Parse(line);
        withException.RootElement.GetProperty("error").GetString().Should().Contain("InvalidOperationException");
    }

    [Fact]
    public void Secrets_are_masked_in_snake_cased_fields_of_real_loggers_too()
    {
        using var writer = new StringWriter();
        var formatter = new FlameJsonConsoleFormatter(new StaticOptionsMonitor<FlameJsonFormatterOptions>(
            new FlameJsonFormatterOptions { Redactor = new SecretRedactor([Secret]) }));
        var scopes = new LoggerExternalScopeProvider();
        var logger = new WriterLogger(formatter, scopes, writer);
        using (logger.BeginScope(new Dictionary<string, object?> { ["client_secret"] = Secret }))
        {
            logger.LogWarning("Keycloak refused {ClientId} with {ClientSecret}", "flame-po", Secret);
        }

        var line = writer.ToString();
        line.Should().NotContain(Secret);
        using var json = JsonDocument.Parse(line);
        json.RootElement.GetProperty("client_id").GetString().Should().Be("flame-po");
        json.RootElement.GetProperty("client_secret").GetString().Should().Be("***");
        json.RootElement.EnumerateObject().Select(p => p.Name).Should().OnlyHaveUniqueItems().And.NotContain("ClientSecret");
    }

    /// <summary>An <see cref="ILogger"/> whose entries go through the formatter, as the console logger hands them over.</summary>
    private sealed class WriterLogger(FlameJsonConsoleFormatter formatter, IExternalScopeProvider scopes, TextWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter1) =>
            formatter.Write(new LogEntry<TState>(logLevel, "Flame.Test", eventId, state, exception, formatter1), scopes, writer);
    }

    private static string Format(
        LogLevel level, EventId eventId, string message, params (string Key, object? Value)[] fields) =>
        Format(level, eventId, message, null, null, fields);

    private static string Format(
        LogLevel level, EventId eventId, string message, Exception exception, params (string Key, object? Value)[] fields) =>
        Format(level, eventId, message, null, exception, fields);

    private static string Format(
        LogLevel level, EventId eventId, string template, IExternalScopeProvider? scopes, Exception? exception, params (string Key, object? Value)[] fields)
    {
        var formatter = new FlameJsonConsoleFormatter(new StaticOptionsMonitor<FlameJsonFormatterOptions>(
            new FlameJsonFormatterOptions { Redactor = new SecretRedactor([Secret]) }));
        var state = fields.Select(f => new KeyValuePair<string, object?>(f.Key, f.Value))
            .Append(new KeyValuePair<string, object?>("{OriginalFormat}", template)).ToList();
        var rendered = fields.Aggregate(template, (text, f) => text.Replace("{" + f.Key + "}", Convert.ToString(f.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var entry = new LogEntry<List<KeyValuePair<string, object?>>>(level, "Flame.Test", eventId, state, exception, (_, _) => rendered);
        using var writer = new StringWriter();
        formatter.Write(entry, scopes, writer);
        return writer.ToString();
    }
}
