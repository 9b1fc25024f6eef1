using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// Replaces kube-controller-manager for Deployments: keeps <c>spec.replicas</c> pods of the current template
/// (labels + <c>pod-template-hash</c>, controller ownerReference) and writes the Deployment status.
/// Pods are owned by the Deployment directly; the sandbox has no ReplicaSet objects.
/// </summary>
public sealed class DeploymentController(ApiCore api, SimClock clock)
{
    private const string HashAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public Task RunAsync(CancellationToken ct) => StoreEventLoop.RunAsync(api, Handle, ct);

    private void Handle(WatchEvent evt)
    {
        if (evt.Kind == ResourceCatalog.Deployments && evt.Type != "DELETED")
        {
            Reconcile(evt.Item.Str("metadata", "namespace")!, evt.Item.Str("metadata", "name")!);
        }
        else if (evt.Kind == ResourceCatalog.Pods)
        {
            foreach (var owner in evt.Item.At("metadata", "ownerReferences").Objects().Where(r => r.Str("kind") == "Deployment"))
            {
                Reconcile(evt.Item.Str("metadata", "namespace")!, owner.Str("name")!);
            }
        }
    }

    public static string TemplateHash(JsonNode? template)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(template?.ToJsonString() ?? ""))
        {
            hash = (hash ^ b) * 16777619u;
        }

        var chars = new char[10];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = HashAlphabet[(int)(hash % (uint)HashAlphabet.Length)];
            hash = (hash / (uint)HashAlphabet.Length) ^ (hash * 2654435761u);
        }

        return new string(chars);
    }

    private void Reconcile(string ns, string name)
    {
        var deployment = api.Store.Get(ResourceCatalog.Deployments, ns, name);
        if (deployment is null)
        {
            return;
        }

        var uid = deployment.Str("metadata", "uid");
        var hash = TemplateHash(deployment.At("spec", "template"));
        var owned = api.Store.DependentsOf(uid!)
            .Where(d => d.Kind == ResourceCatalog.Pods && d.Object.Str("metadata", "namespace") == ns)
            .Select(d => d.Object)
            .ToList();
        var live = owned.Where(p => p.Str("metadata", "deletionTimestamp") is null).ToList();
        var current = live.Where(p => p.Str("metadata", "labels", "pod-template-hash") == hash && p.Str("status", "phase") is not ("Succeeded" or "Failed")).ToList();
        var desired = (int)(deployment.Num("spec", "replicas") ?? 1);
        var deleting = deployment.Str("metadata", "deletionTimestamp") is not null;

        if (!deleting)
        {
            foreach (var stale in live.Except(current))
            {
                api.Delete(ResourceCatalog.Pods, ns, stale.Str("metadata", "name")!, new DeleteOptions());
            }

            foreach (var extra in current.Skip(desired))
            {
                api.Delete(ResourceCatalog.Pods, ns, extra.Str("metadata", "name")!, new DeleteOptions());
            }

            for (var i = current.Count; i < desired; i++)
            {
                api.Create(ResourceCatalog.Pods, ns, NewPod(deployment, hash));
            }
        }

        WriteStatus(deployment, current.Take(desired).ToList(), live.Count, desired, hash);
    }

    private JsonObject NewPod(JsonObject deployment, string hash)
    {
        var template = deployment.At("spec", "template")!.AsObject();
        var name = deployment.Str("metadata", "name")!;
        var labels = template.At("metadata", "labels")?.DeepClone() as JsonObject ?? [];
        labels["pod-template-hash"] = hash;
        var metadata = new JsonObject
        {
            ["name"] = $"{name}-{hash}-{api.RandomSuffix(5)}",
            ["generateName"] = $"{name}-{hash}-",
            ["namespace"] = deployment.Str("metadata", "namespace"),
            ["labels"] = labels,
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "Deployment",
                ["name"] = name,
                ["uid"] = deployment.Str("metadata", "uid"),
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            }),
        };
        if (template.At("metadata", "annotations") is JsonObject annotations)
        {
            metadata["annotations"] = annotations.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone(),
        };
    }

    private void WriteStatus(JsonObject deployment, List<JsonObject> current, int total, int desired, string hash)
    {
        var ready = current.Count(p => p.At("status", "conditions").Objects().Any(c => c.Str("type") == "Ready" && c.Str("status") == "True"));
        var name = deployment.Str("metadata", "name")!;
        var now = SimClock.Rfc3339(clock.Now);
        var available = ready >= desired;
        var progressed = available && current.Count == desired && total == desired;
        api.Store.Update(ResourceCatalog.Deployments, deployment.Str("metadata", "namespace"), name, d =>
        {
            var old = d.At("status") as JsonObject;
            var status = new JsonObject
            {
                ["observedGeneration"] = d.Num("metadata", "generation") ?? 1,
                ["replicas"] = total,
                ["updatedReplicas"] = current.Count,
                ["readyReplicas"] = ready,
                ["availableReplicas"] = ready,
            };
            if (desired - ready > 0)
            {
                status["unavailableReplicas"] = desired - ready;
            }

            foreach (var key in new[] { "readyReplicas", "availableReplicas" })
            {
                if (status.Num(key) == 0)
                {
                    status.Remove(key);
                }
            }

            status["conditions"] = new JsonArray(
                Condition(old, "Available", available ? "True" : "False", available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", now),
                Condition(old, "Progressing", "True", progressed ? "NewReplicaSetAvailable" : "ReplicaSetUpdated", progressed ? $"ReplicaSet \"{name}-{hash}\" has successfully progressed." : $"ReplicaSet \"{name}-{hash}\" is progressing.", now));
            d["status"] = status;
            return d;
        });
    }

    private static JsonObject Condition(JsonObject? oldStatus, string type, string status, string reason, string message, string now)
    {
        var old = oldStatus.At("conditions").Objects().FirstOrDefault(c => c.Str("type") == type);
        var unchanged = old is not null && old.Str("status") == status && old.Str("reason") == reason;
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastUpdateTime"] = unchanged ? old!.Str("lastUpdateTime") : now,
            ["lastTransitionTime"] = old is not null && old.Str("status") == status ? old.Str("lastTransitionTime") : now,
            ["reason"] = reason,
            ["message"] = message,
        };
    }
}
