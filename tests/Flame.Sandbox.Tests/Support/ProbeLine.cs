namespace Flame.Sandbox.Tests.Support;

/// <summary>One line the cluster probe printed, with the time the test read it.</summary>
public sealed record ProbeLine(DateTimeOffset At, string Text);
