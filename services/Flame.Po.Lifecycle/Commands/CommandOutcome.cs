namespace Flame.Po.Lifecycle.Commands;

/// <summary>How a command ended; the Api maps it to 200/404/409/422/503.</summary>
public enum CommandOutcomeKind
{
    Accepted,
    Invalid,
    NotFound,
    Conflict,
    Unavailable,
}

/// <summary>A command's result: the compatible response body on success, a problem detail otherwise.</summary>
public sealed record CommandOutcome(CommandOutcomeKind Kind, IReadOnlyDictionary<string, string?> Statuses, string? Problem = null)
{
    public static CommandOutcome Accepted(IReadOnlyDictionary<string, string?> statuses) => new(CommandOutcomeKind.Accepted, statuses);

    public static CommandOutcome Failed(CommandOutcomeKind kind, string problem) => new(kind, new Dictionary<string, string?>(), problem);
}
