using Flame.Po.Core.Contracts;

namespace Flame.Po.Dapr.Invocation;

/// <summary>Why a call to another service failed, with the called service's explanation when it gave one.</summary>
public sealed record ServiceProblem(ServiceProblemKind Kind, string? Detail);

/// <summary>What a call to another service produced: its answer, or the problem.</summary>
public sealed record ServiceAnswer<T>(T? Value, ServiceProblem? Problem)
    where T : class;

public static class ServiceAnswer
{
    public static ServiceAnswer<T> Of<T>(T value)
        where T : class => new(value, null);

    public static ServiceAnswer<T> Failed<T>(ServiceProblemKind kind, string? detail)
        where T : class => new(null, new ServiceProblem(kind, detail));
}
