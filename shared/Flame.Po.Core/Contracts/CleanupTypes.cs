namespace Flame.Po.Core.Contracts;

/// <summary>
/// The names <c>DELETE /po/cleanup/{types}</c> accepts (docs/compatibility.md#cleanup), for the Api that validates
/// them and the lifecycle that carries them out. The zombie sweep follows every cleanup; <see cref="Zombies"/> alone
/// asks for nothing else.
/// </summary>
public static class CleanupTypes
{
    public const string All = "all";
    public const string Analyses = "analyzes";
    public const string Services = "services";
    public const string MessageBroker = "mb";
    public const string Storage = "rs";
    public const string Keycloak = "keycloak";
    public const string Zombies = "zombies";

    /// <summary>Every accepted name, in the documented order.</summary>
    public static readonly IReadOnlyList<string> Known = [All, Analyses, Services, MessageBroker, Storage, Keycloak, Zombies];

    public static bool IsKnown(string type) => Known.Contains(type, StringComparer.Ordinal);
}
