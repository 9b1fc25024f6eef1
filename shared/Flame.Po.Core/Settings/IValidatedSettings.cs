namespace Flame.Po.Core.Settings;

/// <summary>
/// A settings class bound from environment variables. <see cref="Validate"/> returns one message per problem;
/// each message names the environment variable and never echoes its value (it may be a secret).
/// </summary>
public interface IValidatedSettings
{
    IEnumerable<string> Validate();
}
