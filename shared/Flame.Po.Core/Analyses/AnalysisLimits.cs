using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Flame.Po.Core.Analyses;

/// <summary>
/// The one definition of what a create may carry (docs/compatibility.md#b6): the Api's request validation and the
/// lifecycle's own checks before anything reaches Kubernetes both use these limits and shapes, so they accept and
/// refuse the same values. Ids follow <see cref="AnalysisIds"/>.
/// </summary>
public static partial class AnalysisLimits
{
    /// <summary>A registry host name is at most a DNS name long.</summary>
    public const int RegistryLength = 253;

    public const int ImageLength = 512;

    /// <summary>Registry user, registry password and Kong token.</summary>
    public const int SecretLength = 4096;

    /// <summary>
    /// A create carries the counter of the previous deployment; the new one uses it + 1, and an analysis has at most
    /// <see cref="TransitionReasons.MaxDeployments"/> deployments (counters 1..10), so the previous counter is 0..9.
    /// </summary>
    public const int MaxPreviousRestartCounter = TransitionReasons.MaxDeployments - 1;

    public const int MaxProgress = 100;

    public static bool IsPreviousRestartCounter(int value) => value is >= 0 and <= MaxPreviousRestartCounter;

    public static bool IsProgress(int value) => value is >= 0 and <= MaxProgress;

    /// <summary>A container image reference: registry/path[:tag][@digest], at most <see cref="ImageLength"/> characters, no <c>..</c>.</summary>
    public static bool IsImageReference([NotNullWhen(true)] string? value) =>
        value is { Length: > 0 and <= ImageLength } && ImageReference().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal);

    /// <summary>A registry host with optional scheme, port and path, at most <see cref="RegistryLength"/> characters, no <c>..</c>.</summary>
    public static bool IsRegistryReference([NotNullWhen(true)] string? value) =>
        value is { Length: > 0 and <= RegistryLength } && RegistryReference().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ImageReference();

    [GeneratedRegex("^(https?://)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[A-Za-z0-9._-]+)*/?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryReference();
}
