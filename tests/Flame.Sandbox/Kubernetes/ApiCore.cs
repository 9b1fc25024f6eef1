using System.Globalization;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The registry layer of the apiserver: create/update/patch/delete with metadata stamping, defaulting,
/// validation, optimistic concurrency, graceful and cascading deletion. HTTP handlers and the simulated
/// controllers both go through it, so every write follows the same rules.
/// </summary>
public sealed class ApiCore(ObjectStore store, SimClock clock, Random random, Defaulting defaulting)
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private readonly Lock _randomGate = new();

    public ObjectStore Store => store;

    public string RandomSuffix(int length)
    {
        lock (_randomGate)
        {
            return new string(Enumerable.Range(0, length).Select(_ => GenerateNameAlphabet[random.Next(GenerateNameAlphabet.Length)]).ToArray());
        }
    }

    public JsonObject Get(ResourceKind kind, string? ns, string name) =>
        store.Get(kind, ns, name) ?? throw ApiException.NotFound(kind, name);

    public JsonObject Create(ResourceKind kind, string? ns, JsonObject body, bool dryRun = false)
    {
        TypeMeta.Resolve(kind, body);
        var meta = body.Obj("metadata");
        var bodyNs = meta.Str("namespace");
        if (kind.Namespaced)
        {
            if (bodyNs is not null && bodyNs.Length > 0 && ns is not null && bodyNs != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            ns ??= bodyNs;
            meta["namespace"] = ns;
            CheckNamespaceOpen(kind, ns!, meta.Str("name") ?? meta.Str("generateName") ?? "");
        }
        else
        {
            meta.Remove("namespace");
        }

        if (meta.Str("name") is null or "" && meta.Str("generateName") is { Length: > 0 } prefix)
        {
            meta["name"] = (prefix.Length > 58 ? prefix[..58] : prefix) + RandomSuffix(5);
        }

        if (meta["resourceVersion"] is not null)
        {
            throw ApiException.BadRequest("resourceVersion should not be set on objects to be created");
        }

        meta["uid"] = NewUid();
        meta["creationTimestamp"] = SimClock.Rfc3339(clock.Now);
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        if (kind.HasGeneration)
        {
            meta["generation"] = 1;
        }

        defaulting.Apply(kind, body);
        ResetStatusOnCreate(kind, body);
        var causes = Validation.Validate(kind, body, null);
        if (causes.Count > 0)
        {
            throw ApiException.Invalid(kind, meta.Str("name") ?? "", causes);
        }

        return dryRun ? body : store.Create(kind, body);
    }

    private static void ResetStatusOnCreate(ResourceKind kind, JsonObject body)
    {
        switch (kind.Plural)
        {
            case "pods":
                body["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(body) };
                break;
            case "deployments":
                body["status"] = new JsonObject();
                break;
            case "namespaces":
                body["status"] = new JsonObject { ["phase"] = "Active" };
                body.Obj("spec")["finalizers"] = new JsonArray("kubernetes");
                body.Obj("metadata", "labels")["kubernetes.io/metadata.name"] = body.Str("metadata", "name");
                break;
            case "services":
                body["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
                break;
            default:
                break;
        }
    }

    private static string QosClass(JsonObject pod)
    {
        var containers = pod.At("spec", "containers").Objects().ToList();
        var anyResources = containers.Any(c => c.At("resources", "requests") is JsonObject { Count: > 0 } || c.At("resources", "limits") is JsonObject { Count: > 0 });
        if (!anyResources)
        {
            return "BestEffort";
        }

        var guaranteed = containers.All(c =>
            c.At("resources", "limits") is JsonObject limits && limits["cpu"] is not null && limits["memory"] is not null
            && (c.At("resources", "requests") is not JsonObject requests || JsonNode.DeepEquals(requests, limits)));
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private void CheckNamespaceOpen(ResourceKind kind, string ns, string name)
    {
        var namespaceObj = store.Get(ResourceCatalog.Namespaces, null, ns) ?? throw ApiException.NotFound(ResourceCatalog.Namespaces, ns);
        if (namespaceObj.Str("metadata", "deletionTimestamp") is not null)
        {
            throw new ApiException(403, "Forbidden", $"{kind.QualifiedPlural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", ApiException.DetailsOf(kind, name));
        }
    }

    private string NewUid()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_randomGate)
        {
            random.NextBytes(bytes);
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>PUT semantics; <paramref name="subresource"/> "status" changes only the status.</summary>
    public JsonObject Replace(ResourceKind kind, string? ns, string name, JsonObject body, string? subresource = null, bool dryRun = false)
    {
        TypeMeta.Resolve(kind, body);
        var bodyName = body.Str("metadata", "name");
        if (bodyName is not null && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        return Write(kind, ns, name, _ => body.CloneObject(), subresource, dryRun);
    }

    /// <summary>Applies <paramref name="change"/> to the current object under the store lock, then stores it with update rules.</summary>
    public JsonObject Write(ResourceKind kind, string? ns, string name, Func<JsonObject, JsonObject> change, string? subresource = null, bool dryRun = false)
    {
        JsonObject? removeAfter = null;
        JsonObject? dry = null;
        var result = store.Update(kind, ns, name, current =>
        {
            var next = change(current.CloneObject());
            var rv = next.Str("metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != current.Str("metadata", "resourceVersion"))
            {
                throw ApiException.Conflict(kind, name);
            }

            var merged = subresource == "status" ? WithStatusOnly(current, next) : WithSpec(kind, current, next);
            defaulting.Apply(kind, merged);
            var causes = Validation.Validate(kind, merged, current);
            if (causes.Count > 0)
            {
                throw ApiException.Invalid(kind, name, causes);
            }

            if (kind.HasGeneration && !JsonNode.DeepEquals(merged["spec"], current["spec"]))
            {
                merged.Obj("metadata")["generation"] = (current.Num("metadata", "generation") ?? 1) + 1;
            }

            if (merged.Str("metadata", "deletionTimestamp") is not null && merged.At("metadata", "finalizers") is not JsonArray { Count: > 0 })
            {
                removeAfter = merged;
            }

            if (dryRun)
            {
                dry = merged;
                return null;
            }

            return merged;
        });
        if (dry is not null)
        {
            return dry;
        }

        if (removeAfter is not null)
        {
            store.Remove(kind, ns, name, removeAfter.Str("metadata", "uid"));
        }

        return result;
    }

    private static JsonObject WithStatusOnly(JsonObject current, JsonObject next)
    {
        var merged = current.CloneObject();
        merged["status"] = next["status"]?.DeepClone();
        return merged;
    }

    /// <summary>Main-resource writes keep server-owned metadata and, for kinds with a status subresource, the status.</summary>
    private static JsonObject WithSpec(ResourceKind kind, JsonObject current, JsonObject next)
    {
        var meta = next.Obj("metadata");
        foreach (var key in new[] { "uid", "creationTimestamp", "namespace", "name", "generation", "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            meta[key] = current.At("metadata", key)?.DeepClone();
            if (meta[key] is null)
            {
                meta.Remove(key);
            }
        }

        if (current.Str("metadata", "deletionTimestamp") is not null && next.At("metadata", "finalizers") is JsonArray nf && current.At("metadata", "finalizers") is JsonArray cf
            && nf.Any(f => !cf.Any(c => JsonNode.DeepEquals(c, f))))
        {
            throw new ApiException(422, "Invalid", $"{kind.QualifiedKind} \"{current.Str("metadata", "name")}\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted");
        }

        if (kind.Subresources.Contains("status"))
        {
            next["status"] = current["status"]?.DeepClone();
        }

        if (kind.Plural == "services" && next.Str("spec", "clusterIP") is null)
        {
            next.Obj("spec")["clusterIP"] = current.At("spec", "clusterIP")?.DeepClone();
            next.Obj("spec")["clusterIPs"] = current.At("spec", "clusterIPs")?.DeepClone();
        }

        return next;
    }

    /// <summary>PATCH; returns 201 when an apply patch created the object.</summary>
    /// <param name="checkPatched">Sees (and may prune or refuse) the object a non-apply patch produced, before it is stored.</param>
    public (int Code, JsonObject Object) Patch(ResourceKind kind, string? ns, string name, string contentType, JsonNode? patch, string? subresource, string? fieldManager, bool dryRun, Action<JsonObject>? checkPatched = null)
    {
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType == "application/apply-patch+yaml")
        {
            if (string.IsNullOrEmpty(fieldManager))
            {
                throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
            }

            if (patch is not JsonObject applied)
            {
                throw ApiException.BadRequest("apply patch body must be an object");
            }

            if (store.Get(kind, ns, name) is null)
            {
                var created = applied.CloneObject();
                created.Obj("metadata")["name"] = name;
                return (201, Create(kind, ns, created, dryRun));
            }
        }

        Func<JsonObject, JsonObject> change = mediaType switch
        {
            "application/merge-patch+json" => current => Patches.MergePatch(current, patch) as JsonObject ?? throw ApiException.BadRequest("merge patch must produce an object"),
            "application/strategic-merge-patch+json" or "application/apply-patch+yaml" => current => Patches.StrategicMerge(current, patch) as JsonObject ?? throw ApiException.BadRequest("patch must produce an object"),
            "application/json-patch+json" => current => Patches.JsonPatch(current, patch as JsonArray ?? throw ApiException.BadRequest("json patch must be an array")) as JsonObject ?? throw ApiException.BadRequest("patch must produce an object"),
            _ => throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"),
        };
        if (store.Get(kind, ns, name) is null)
        {
            throw ApiException.NotFound(kind, name);
        }

        return (200, Write(kind, ns, name, current =>
        {
            var next = change(current);
            TypeMeta.Resolve(kind, next);
            if (mediaType != "application/apply-patch+yaml")
            {
                checkPatched?.Invoke(next);
            }

            return next;
        }, subresource, dryRun));
    }

    /// <summary>
    /// DELETE; returns the still-terminating object, or once it is gone either a Success Status or, for kinds whose
    /// registry returns the deleted object (pods, services, namespaces), the object as it was deleted.
    /// </summary>
    public JsonObject Delete(ResourceKind kind, string? ns, string name, DeleteOptions options)
    {
        var current = Get(kind, ns, name);
        if (options.PreconditionUid is { } uid && uid != current.Str("metadata", "uid"))
        {
            throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on {kind.QualifiedPlural} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Str("metadata", "uid")}", ApiException.DetailsOf(kind, name));
        }

        if (options.PreconditionResourceVersion is { } rv && rv != current.Str("metadata", "resourceVersion"))
        {
            throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on {kind.QualifiedPlural} \"{name}\": Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.Str("metadata", "resourceVersion")}", ApiException.DetailsOf(kind, name));
        }

        if (options.DryRun)
        {
            return kind.ReturnsDeletedObject ? current : ApiException.Success(kind, name, current.Str("metadata", "uid"));
        }

        if (current.Str("metadata", "deletionTimestamp") is not null && !(kind.Plural == "pods" && options.GracePeriodSeconds == 0))
        {
            return current;
        }

        var policy = options.PropagationPolicy ?? "Background";
        if (policy is not ("Background" or "Foreground" or "Orphan"))
        {
            throw new ApiException(422, "Invalid", $"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        var now = SimClock.Rfc3339(clock.Now);
        if (kind.Plural == "namespaces")
        {
            return Mark(kind, ns, name, o =>
            {
                o.Obj("metadata")["deletionTimestamp"] = now;
                o.Obj("status")["phase"] = "Terminating";
            });
        }

        if (kind.Plural == "pods")
        {
            var grace = options.GracePeriodSeconds ?? current.Num("spec", "terminationGracePeriodSeconds") ?? 30;
            var phase = current.Str("status", "phase");
            var unscheduled = current.Str("spec", "nodeName") is null;
            if (grace > 0 && !unscheduled && phase is not ("Succeeded" or "Failed") && current.At("metadata", "finalizers") is not JsonArray { Count: > 0 })
            {
                return Mark(kind, ns, name, o =>
                {
                    o.Obj("metadata")["deletionTimestamp"] = SimClock.Rfc3339(clock.Now.AddSeconds(grace));
                    o.Obj("metadata")["deletionGracePeriodSeconds"] = grace;
                });
            }
        }

        if (policy == "Foreground")
        {
            return Mark(kind, ns, name, o =>
            {
                o.Obj("metadata")["deletionTimestamp"] = now;
                var finalizers = o.Obj("metadata").Arr("finalizers");
                if (!finalizers.Any(f => f?.GetValue<string>() == "foregroundDeletion"))
                {
                    finalizers.Add("foregroundDeletion");
                }
            });
        }

        if (policy == "Orphan")
        {
            OrphanDependents(current.Str("metadata", "uid")!);
        }

        if (current.At("metadata", "finalizers") is JsonArray { Count: > 0 })
        {
            return Mark(kind, ns, name, o => o.Obj("metadata")["deletionTimestamp"] = now);
        }

        // A pod deleted at once went through graceful deletion with a zero grace period: the apiserver stamps
        // deletionTimestamp and deletionGracePeriodSeconds=0 before it removes it, and answers with that last state.
        Action<JsonObject>? lastChange = kind.Plural == "pods"
            ? o =>
            {
                o.Obj("metadata")["deletionTimestamp"] = now;
                o.Obj("metadata")["deletionGracePeriodSeconds"] = 0;
            }
        : null;
        // Someone else may have removed it meanwhile (the apiserver tolerates that race for graceless deletes).
        var removed = store.Remove(kind, ns, name, current.Str("metadata", "uid"), lastChange) ?? current;
        return kind.ReturnsDeletedObject ? removed : ApiException.Success(kind, name, current.Str("metadata", "uid"));
    }

    private JsonObject Mark(ResourceKind kind, string? ns, string name, Action<JsonObject> mark) =>
        store.Update(kind, ns, name, o =>
        {
            mark(o);
            return o;
        });

    /// <summary>Removes the object from storage now (the end of a graceful or foreground deletion).</summary>
    public void Finalize(ResourceKind kind, string? ns, string name, string? uid) => store.Remove(kind, ns, name, uid);

    private void OrphanDependents(string ownerUid)
    {
        foreach (var (kind, obj) in store.DependentsOf(ownerUid))
        {
            store.Update(kind, obj.Str("metadata", "namespace"), obj.Str("metadata", "name")!, o =>
            {
                var refs = o.Obj("metadata").Arr("ownerReferences");
                foreach (var r in refs.Objects().Where(r => r.Str("uid") == ownerUid).ToList())
                {
                    refs.Remove(r);
                }

                if (refs.Count == 0)
                {
                    o.Obj("metadata").Remove("ownerReferences");
                }

                return o;
            });
        }
    }

    public static long ParseRevision(string? text, string parameter)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
        {
            throw ApiException.BadRequest($"invalid {parameter}: \"{text}\"");
        }

        return rv;
    }
}
