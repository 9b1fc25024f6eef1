namespace Flame.Po.Integrations.Http;

/// <summary>A bearer token and when it was obtained. <see cref="ToString"/> leaves the token out so it never reaches a log.</summary>
internal sealed record IssuedToken(string AccessToken, DateTimeOffset IssuedAt, TimeSpan Lifetime)
{
    public DateTimeOffset ExpiresAt => IssuedAt + Lifetime;

    public override string ToString() => $"IssuedToken {{ IssuedAt = {IssuedAt:O}, Lifetime = {Lifetime} }}";
}
