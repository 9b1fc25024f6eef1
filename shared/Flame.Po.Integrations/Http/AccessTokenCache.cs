namespace Flame.Po.Integrations.Http;

/// <summary>
/// One cached service token, renewed once a share of its lifetime has passed (so a call never carries a token
/// that expires in flight) or when the dependency answered 401 to it. Concurrent callers share one fetch.
/// </summary>
internal sealed class AccessTokenCache(Func<CancellationToken, Task<IssuedToken>> fetch, TimeProvider time, double renewalShare) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IssuedToken? _current;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_current) is { } token)
        {
            return token;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(_current) is { } raced)
            {
                return raced;
            }

            var issued = await fetch(cancellationToken);
            _current = issued;
            return issued.AccessToken;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops <paramref name="rejected"/> unless another caller already replaced it.</summary>
    public void Invalidate(string rejected)
    {
        var current = _current;
        if (current is not null && string.Equals(current.AccessToken, rejected, StringComparison.Ordinal))
        {
            Interlocked.CompareExchange(ref _current, null, current);
        }
    }

    public void Dispose() => _gate.Dispose();

    private string? Fresh(IssuedToken? token) =>
        token is not null && time.GetUtcNow() < token.IssuedAt + (token.Lifetime * renewalShare) ? token.AccessToken : null;
}
