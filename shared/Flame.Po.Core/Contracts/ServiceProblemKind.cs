namespace Flame.Po.Core.Contracts;

/// <summary>
/// Why a call between the services did not succeed. The called service answers a problem+json whose
/// <c>type</c> is <see cref="ServiceProblemTypes.Of"/> the kind; the caller reads the kind back from that type,
/// never from a title or a bare status code (a 404 from a missing route is not an unknown analysis).
/// </summary>
public enum ServiceProblemKind
{
    /// <summary>The request is not valid (422).</summary>
    Invalid,

    /// <summary>The addressed analysis is not known (404).</summary>
    NotFound,

    /// <summary>The analysis exists with other values (409).</summary>
    Conflict,

    /// <summary>The analysis was deleted (410).</summary>
    Gone,

    /// <summary>The service or one of its dependencies cannot serve now; try again later (503).</summary>
    Unavailable,
}

/// <summary>The problem <c>type</c> URIs and status codes of <see cref="ServiceProblemKind"/>.</summary>
public static class ServiceProblemTypes
{
    private const string Prefix = "urn:flame-po:problem:";

    private static readonly Dictionary<string, ServiceProblemKind> ByType = Enum.GetValues<ServiceProblemKind>().ToDictionary(Of, k => k, StringComparer.Ordinal);

    public static string Of(ServiceProblemKind kind) => kind switch
    {
        ServiceProblemKind.Invalid => Prefix + "invalid",
        ServiceProblemKind.NotFound => Prefix + "not-found",
        ServiceProblemKind.Conflict => Prefix + "conflict",
        ServiceProblemKind.Gone => Prefix + "gone",
        ServiceProblemKind.Unavailable => Prefix + "unavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static int StatusOf(ServiceProblemKind kind) => kind switch
    {
        ServiceProblemKind.Invalid => 422,
        ServiceProblemKind.NotFound => 404,
        ServiceProblemKind.Conflict => 409,
        ServiceProblemKind.Gone => 410,
        _ => 503,
    };

    /// <summary>The kind a problem <c>type</c> names, if it is one of ours and goes with <paramref name="status"/>.</summary>
    public static bool TryParse(string? type, int status, out ServiceProblemKind kind) =>
        ByType.TryGetValue(type ?? string.Empty, out kind) && StatusOf(kind) == status;
}
