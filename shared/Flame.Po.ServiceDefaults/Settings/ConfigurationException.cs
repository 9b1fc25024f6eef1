namespace Flame.Po.ServiceDefaults;

/// <summary>
/// The configuration cannot work. Each problem names the environment variable and never its value; the host
/// prints them and exits non-zero.
/// </summary>
public sealed class ConfigurationException(IReadOnlyList<string> problems)
    : Exception("Invalid configuration: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
