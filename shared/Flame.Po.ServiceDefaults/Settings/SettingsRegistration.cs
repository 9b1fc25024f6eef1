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
        return services.AddSingleton(new SettingsCheck(typeof(T), _ => ProblemsOf<T>(configuration)));
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

    /// <summary>
    /// Binds a fresh instance and validates it. A value that does not convert is reported by key only (the
    /// binder's message quotes the raw value, which may be a secret) and then left out, so the remaining
    /// problems of the same settings class are still found.
    /// </summary>
    private static List<string> ProblemsOf<T>(IConfiguration configuration)
        where T : class, IValidatedSettings
    {
        var problems = new List<string>();
        var excluded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            var source = excluded.Count == 0 ? configuration : Without(configuration, excluded);
            try
            {
                var settings = source.Get<T>() ?? Activator.CreateInstance<T>();
                problems.AddRange(settings.Validate());
                return problems;
            }
            catch (InvalidOperationException e)
            {
                var match = BinderFailure().Match(e.Message);
                if (!match.Success || !excluded.Add(match.Groups["key"].Value))
                {
                    problems.Add($"A setting of {typeof(T).Name} has a value of the wrong type.");
                    return problems;
                }

                problems.Add($"{match.Groups["key"].Value} must be a valid {FriendlyType(match.Groups["type"].Value)}.");
            }
        }
    }

    private static IConfiguration Without(IConfiguration configuration, HashSet<string> excluded) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(configuration.AsEnumerable().Where(pair => !excluded.Contains(pair.Key)))
            .Build();

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
