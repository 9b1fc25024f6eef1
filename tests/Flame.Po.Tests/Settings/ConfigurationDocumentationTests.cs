using System.Reflection;
using System.Runtime.CompilerServices;
using Flame.Po.Core.Settings;
using Flame.Po.Host;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Tests.Settings;

/// <summary>Every environment variable the code reads is documented in .env.template and the README.</summary>
public sealed class ConfigurationDocumentationTests
{
    /// <summary>Variables read directly rather than through a settings class.</summary>
    private static readonly string[] DirectlyRead =
    [
        "PO_TARGET", "PO_PORT", "LOG_LEVEL", "APP_ID",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SERVICE_NAME", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER",
    ];

    public static TheoryData<string> Variables()
    {
        var assemblies = typeof(FlameHost).Assembly.GetReferencedAssemblies()
            .Where(a => a.Name!.StartsWith("Flame.Po.", StringComparison.Ordinal))
            .Select(Assembly.Load)
            .SelectMany(a => a.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Flame.Po.", StringComparison.Ordinal)).Select(Assembly.Load).Append(a))
            .Distinct();
        var fromSettings = assemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IValidatedSettings).IsAssignableFrom(t) && t.IsClass)
            .SelectMany(t => t.GetProperties())
            .Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
            .OfType<string>();
        var data = new TheoryData<string>();
        foreach (var name in fromSettings.Concat(DirectlyRead).Distinct().Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Finds_the_settings_classes() => Variables().Count.Should().BeGreaterThan(20);

    [Theory]
    [MemberData(nameof(Variables))]
    public void Is_documented_in_the_env_template(string variable) =>
        File.ReadAllLines(Path.Combine(RepositoryRoot(), ".env.template")).Any(l => l.StartsWith(variable + "=", StringComparison.Ordinal))
            .Should().BeTrue($".env.template must document {variable}");

    [Theory]
    [MemberData(nameof(Variables))]
    public void Is_documented_in_the_readme(string variable) =>
        File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).Contains($"`{variable}`", StringComparison.Ordinal)
            .Should().BeTrue($"the README's configuration table must document {variable}");

    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
