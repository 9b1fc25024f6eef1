namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The API server's bearer-token authentication: the admin token of the kubeconfig plus service-account tokens
/// that can be accepted and revoked while the server runs (a kubelet rotating a projected token gets a new one
/// from the TokenRequest API first; the old one stays valid until it expires). Every authenticated request is
/// recorded with the token it carried, so a test can see which credentials a client sent and when.
/// </summary>
public sealed class ApiAuthenticator
{
    private const int MaxRecorded = 10_000;

    private readonly TimeProvider _time;
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal);
    private readonly Queue<ApiTokenUse> _recorded = new();
    private readonly Lock _lock = new();

    public ApiAuthenticator(TimeProvider time, IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _time = time;
        foreach (var token in tokens)
        {
            Accept(token);
        }
    }

    /// <summary>Whether the <c>Authorization</c> header carries an accepted bearer token; records the request.</summary>
    public bool Authenticate(string authorization)
    {
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
        lock (_lock)
        {
            var accepted = token is not null && _accepted.Contains(token);
            if (_recorded.Count == MaxRecorded)
            {
                _recorded.Dequeue();
            }

            _recorded.Enqueue(new ApiTokenUse(_time.GetUtcNow(), token, accepted));
            return accepted;
        }
    }

    /// <summary>From now on requests with <paramref name="token"/> are authenticated.</summary>
    public void Accept(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        lock (_lock)
        {
            _accepted.Add(token);
        }
    }

    /// <summary>From now on requests with <paramref name="token"/> answer 401.</summary>
    public void Revoke(string token)
    {
        lock (_lock)
        {
            _accepted.Remove(token);
        }
    }

    /// <summary>The requests that reached authentication, oldest first (the latest 10,000).</summary>
    public IReadOnlyList<ApiTokenUse> Requests()
    {
        lock (_lock)
        {
            return [.. _recorded];
        }
    }
}
