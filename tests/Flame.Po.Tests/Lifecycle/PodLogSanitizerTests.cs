using Flame.Po.Lifecycle.Archive;

namespace Flame.Po.Tests.Lifecycle;

/// <summary>The old service's log filter (docs/compatibility.md#logs), minus its deletion of every non-ASCII character.</summary>
public sealed class PodLogSanitizerTests
{
    [Theory]
    [InlineData("INFO:     Started server process [1]")]
    [InlineData("INFO: Application startup complete.")]
    [InlineData("""INFO:     10.244.0.7:41234 - "GET /healthz HTTP/1.1" 200 OK""")]
    [InlineData("""10.244.0.7:41234 - "GET /healthz HTTP/1.0" 200 OK""")]
    [InlineData("""10.244.0.9:5000 - "POST /webhook HTTP/1.1" 200 OK""")]
    [InlineData("""10.244.0.9:5000 - "POST /webhook HTTP/1.0" 200""")]
    [InlineData("\u001b[32mINFO\u001b[0m:     127.0.0.1:1 - \"GET /x HTTP/1.1\" 404 Not Found")]
    public void Drops_noise_lines(string line) =>
        PodLogSanitizer.Sanitize($"before\n{line}\nafter").Should().Be("before\nafter");

    [Theory]
    [InlineData("""10.244.0.9:5000 - "POST /webhook HTTP/1.1" 500 Internal Server Error""")]
    [InlineData("""10.244.0.7:41234 - "GET /healthz HTTP/1.1" 503 Service Unavailable""")]
    [InlineData("""10.244.0.7:41234 - "GET /healthzz HTTP/1.1" 200 OK""")]
    [InlineData("WARNING: INFO: is not at the start")]
    [InlineData(" INFO: indented")]
    public void Keeps_lines_that_are_not_noise(string line) =>
        PodLogSanitizer.Sanitize(line).Should().Be(line);

    [Theory]
    [InlineData("Grüße aus Köln", "Grüße aus Köln")]
    [InlineData("東京 ✓ — ñ 😀", "東京 ✓ — ñ 😀")]
    [InlineData("tab\tkept", "tab\tkept")]
    [InlineData("bell\u0007 gone", "bell gone")]
    [InlineData("nul\u0000 and c1\u0085 gone", "nul and c1 gone")]
    [InlineData("carriage return\r", "carriage return")]
    [InlineData("\u001b[31mred\u001b[0m and \u001b[1;4mbold\u001b[m", "red and bold")]
    public void Keeps_text_and_drops_only_control_characters(string line, string expected) =>
        PodLogSanitizer.Sanitize(line).Should().Be(expected);

    [Fact]
    public void Keeps_line_order_and_the_final_newline()
    {
        PodLogSanitizer.Sanitize("one\nINFO: x\ntwo\n").Should().Be("one\ntwo\n");
        PodLogSanitizer.Sanitize("").Should().Be("");
    }
}
