using System.Text.RegularExpressions;
using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flame.Po.ServiceDefaults.Settings;

/// <summary>A settings type registered for start-up validation.</summary>
public sealed record SettingsCheck(Type SettingsType, Func<IServiceProvider, IEnumerable<string>> Problems);

public static partial class SettingsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from the root configuration (environment variables keep their names via
    /// <c>[ConfigurationKeyName]</c>) and enrols it in <see cref="ValidateSettings"/>.
    /// </summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, IConfiguration configuration)
        where T : class, IValidatedSettings
    {
        if (services.Any(d => d.ServiceType == typeof(SettingsCheck) && d.ImplementationInstance is SettingsCheck { } c && c.SettingsType == typeof(T)))
        {
            return services;
        }

        services.AddOptions<T>().Bind(configuration);
        return services.AddSingleton(new SettingsCheck(typeof(T), sp => ProblemsOf<T>(sp)));
    }

    /// <summary>Validates every enrolled settings type at once, so an operator sees all problems in one go.</summary>
    public static void ValidateSettings(this IServiceProvider services)
    {
        var problems = services.GetServices<SettingsCheck>().SelectMany(check => check.Problems(services)).ToList();
        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }
    }

    private static List<string> ProblemsOf<T>(IServiceProvider services)
        where T : class, IValidatedSettings
    {
        T settings;
        try
        {
            settings = services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (InvalidOperationException e)
        {
            // The binder's message quotes the raw value, which may be a secret: keep only the key and the type.
            var match = BinderFailure().Match(e.Message);
            return [match.Success
                ? $"{match.Groups["key"].Value} must be a valid {FriendlyType(match.Groups["type"].Value)}."
                : $"A setting of {typeof(T).Name} has a value of the wrong type."];
        }

        return settings.Validate().ToList();
    }

    private static string FriendlyType(string clrType) => clrType switch
    {
        "System.Int32" or "System.Int64" => "whole number",
        "System.Double" => "number",
        "System.Boolean" => "boolean (true or false)",
        _ => clrType,
    };

    [GeneratedRegex("at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex BinderFailure();
}
