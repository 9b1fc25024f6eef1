using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Flame.Testing;

/// <summary>
/// The one way tests wait for something to happen: poll a condition until it holds, and fail with a message that
/// says what was awaited (by default the condition's own source text) and for how long. Linked into each test project
/// (<c>tests/Shared/Wait.cs</c>); use it instead of a fixed sleep or a private polling loop.
/// </summary>
internal static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    /// <param name="timeout">How long to wait at most (default 30 s).</param>
    /// <param name="what">What is awaited, for the failure message (default: the condition's source text).</param>
    /// <param name="poll">The pause between two looks (default 100 ms).</param>
    /// <param name="stopIf">Gives up at once when it holds (e.g. the process under test has exited).</param>
    /// <param name="details">Appended to the failure message (e.g. a process' output).</param>
    public static Task UntilAsync(
        Func<bool> condition,
        TimeSpan? timeout = null,
        string? what = null,
        TimeSpan? poll = null,
        Func<bool>? stopIf = null,
        Func<string>? details = null,
        [CallerArgumentExpression(nameof(condition))] string? expression = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what ?? expression, poll, stopIf, details);

    /// <inheritdoc cref="UntilAsync(Func{bool}, TimeSpan?, string?, TimeSpan?, Func{bool}?, Func{string}?, string?)"/>
    public static async Task UntilAsync(
        Func<Task<bool>> condition,
        TimeSpan? timeout = null,
        string? what = null,
        TimeSpan? poll = null,
        Func<bool>? stopIf = null,
        Func<string>? details = null,
        [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopIf?.Invoke() == true)
            {
                throw new TimeoutException($"Gave up after {clock.Elapsed.TotalSeconds:0.#} s waiting for: {what ?? expression}.{Details(details)}");
            }

            if (clock.Elapsed >= limit)
            {
                throw new TimeoutException($"Waited {limit.TotalSeconds:0.#} s in vain for: {what ?? expression}.{Details(details)}");
            }

            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    private static string Details(Func<string>? details) => details is null ? string.Empty : $"\n{details()}";
}
