namespace Flame.Sandbox.Keycloak;

/// <summary>A realm client. <see cref="CanManageClients"/> stands for the realm-management "manage-clients" role.</summary>
public sealed record KeycloakClient(string Id, string ClientId, string Name, string Secret, bool ServiceAccountsEnabled, bool CanManageClients);
