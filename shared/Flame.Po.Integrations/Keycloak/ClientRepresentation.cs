namespace Flame.Po.Integrations.Keycloak;

/// <summary>The fields of a Keycloak <c>ClientRepresentation</c> the PO uses. Never logged: it carries the secret.</summary>
internal sealed record ClientRepresentation(string Id, string ClientId, string? Name, string? Secret)
{
    public override string ToString() => $"ClientRepresentation {{ Id = {Id}, ClientId = {ClientId}, Name = {Name} }}";
}
