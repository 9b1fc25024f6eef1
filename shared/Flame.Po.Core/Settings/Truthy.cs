namespace Flame.Po.Core.Settings;

/// <summary>
/// Boolean environment values as the service we replace reads them (<c>HUB_LOGGING</c>,
/// docs/compatibility.md#configuration): exactly <c>True</c>, <c>true</c>, <c>1</c> or <c>t</c> are true; anything
/// else is false.
/// </summary>
public static class Truthy
{
    public static bool IsTrue(string? value) => value is "True" or "true" or "1" or "t";
}
