namespace Flame.Po.Dapr;

/// <summary>Identity of this process towards the building blocks (the CloudEvent source, the Dapr app-id).</summary>
public sealed class BuildingBlockSettings
{
    public string AppId { get; set; } = "flame-po";
}
