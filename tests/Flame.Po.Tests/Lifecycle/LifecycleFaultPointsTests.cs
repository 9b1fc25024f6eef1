using System.Reflection;
using System.Runtime.CompilerServices;

using Flame.Po.Lifecycle.Reconciler;
using FluentAssertions;

namespace Flame.Po.Tests.Lifecycle;

/// <summary>
/// Every step and every created object has its own named fault point, and the names stay the documented
/// <c>before:Step</c>, <c>after:Step</c> and <c>created:Kind</c> values that PO_FAULT_POINT is set to.
/// </summary>
public sealed class LifecycleFaultPointsTests
{
    private static readonly Type[] Steps = typeof(LifecycleAction).GetNestedTypes()
        .Where(t => t.IsSubclassOf(typeof(LifecycleAction)))
        .ToArray();

    [Fact]
    public void Every_step_has_its_own_before_and_after_point()
    {
        Steps.Should().NotBeEmpty();
        var points = new List<string>();
        foreach (var step in Steps)
        {
            var action = (LifecycleAction)RuntimeHelpers.GetUninitializedObject(step);
            LifecycleFaultPoints.Before(action).Should().Be("before:" + step.Name);
            LifecycleFaultPoints.After(action).Should().Be("after:" + step.Name);
            points.Add(LifecycleFaultPoints.Before(action));
            points.Add(LifecycleFaultPoints.After(action));
        }

        points.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Every_object_kind_has_its_own_created_point()
    {
        var kinds = Enum.GetValues<DeploymentObjects>().Where(k => k != DeploymentObjects.None && ((int)k & ((int)k - 1)) == 0).ToList();

        kinds.Select(LifecycleFaultPoints.Created).Should().Equal(kinds.Select(k => "created:" + k));
    }

    [Fact]
    public void Every_constant_is_a_distinct_point()
    {
        var constants = typeof(LifecycleFaultPoints).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        constants.Should().OnlyHaveUniqueItems().And.Contain(["after:RefreshToken", "created:NginxDeployment", "before:Redeploy", "create:after-secrets"]);
    }
}
