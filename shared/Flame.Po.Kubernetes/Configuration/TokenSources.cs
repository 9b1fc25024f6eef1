namespace Flame.Po.Kubernetes.Configuration;

/// <summary>Supplies the bearer token for each request.</summary>
public interface ITokenSource
{
    ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>Forget a cached token (after a 401); returns true when a fresh one may differ.</summary>
    bool Invalidate();
}

public sealed class StaticTokenSource(string token) : ITokenSource
{
    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);

    public bool Invalidate() => false;

    public override string ToString() => "StaticTokenSource";
}

/// <summary>
/// A token file that the kubelet rewrites before the bound service-account token expires: re-read at most
/// every <c>refreshInterval</c> (one minute, like the official client) and at once after a 401.
/// </summary>
public sealed class FileTokenSource(string path, TimeProvider timeProvider, TimeSpan refreshInterval) : ITokenSource
{
    private readonly Lock _gate = new();
    private string? _token;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public FileTokenSource(string path, TimeProvider timeProvider)
        : this(path, timeProvider, TimeSpan.FromMinutes(1))
    {
    }

    public string Path => path;

    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_token is not null && now - _readAt < refreshInterval)
            {
                return _token;
            }
        }

        var token = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        lock (_gate)
        {
            _token = token;
            _readAt = now;
        }

        return token;
    }

    public bool Invalidate()
    {
        lock (_gate)
        {
            _token = null;
        }

        return true;
    }

    public override string ToString() => $"FileTokenSource({path})";
}
