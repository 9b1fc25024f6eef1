using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

using Flame.Po.Kubernetes.Models;
using Flame.Po.Kubernetes.Serialization;

namespace Flame.Po.Kubernetes.Client;

/// <summary>Typed operations on one resource in one namespace. Writes send <c>fieldValidation=Strict</c>.</summary>
public sealed class ResourceClient<T>
    where T : KubernetesObject, IKubernetesResource
{
    private readonly KubernetesClient _client;

    internal ResourceClient(KubernetesClient client, string ns)
    {
        _client = client;
        Namespace = ns;
    }

    public string Namespace { get; }

    private static ResourceKind Kind => T.Resource;

    public async Task<T> CreateAsync(T item, CancellationToken cancellationToken = default)
    {
        var target = Kind.CollectionPath(Namespace) + new QueryString().Add("fieldValidation", "Strict");
        using var response = await _client.SendAsync(HttpMethod.Post, target, () => Json(item), idempotent: false, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>Idempotent create for the reconciler: true when created, false when the name was already taken.</summary>
    public async Task<bool> EnsureCreatedAsync(T item, CancellationToken cancellationToken = default)
    {
        try
        {
            await CreateAsync(item, cancellationToken);
            return true;
        }
        catch (KubernetesConflictException e) when (e.IsAlreadyExists)
        {
            return false;
        }
    }

    public async Task<T> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, Kind.ItemPath(Namespace, name), null, idempotent: true, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> TryGetAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(name, cancellationToken);
        }
        catch (KubernetesNotFoundException)
        {
            return null;
        }
    }

    /// <summary>One page; follow <see cref="ListMeta.Continue"/> or use <see cref="ListAllAsync"/>.</summary>
    public async Task<KubernetesList<T>> ListAsync(ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var target = Kind.CollectionPath(Namespace) + new QueryString()
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("limit", options.Limit is ListOptions.Unpaged ? null : options.Limit)
            .Add("continue", options.Continue)
            .Add("resourceVersion", options.ResourceVersion);
        using var response = await _client.SendAsync(HttpMethod.Get, target, null, idempotent: true, cancellationToken);
        return await ReadAsync<KubernetesList<T>>(response, cancellationToken);
    }

    /// <summary>All pages of a consistent snapshot; restarts once when a continue token expired (410).</summary>
    public async Task<KubernetesList<T>> ListAllAsync(ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var items = new List<T>();
                var page = await ListAsync(options with { Limit = options.Limit ?? _client.Options.ListPageSize, Continue = null }, cancellationToken);
                var first = page;
                items.AddRange(page.Items);
                while (!string.IsNullOrEmpty(page.Metadata.Continue))
                {
                    page = await ListAsync(options with { Limit = options.Limit ?? _client.Options.ListPageSize, Continue = page.Metadata.Continue }, cancellationToken);
                    items.AddRange(page.Items);
                }

                return first with { Items = items, Metadata = first.Metadata with { Continue = null } };
            }
            catch (KubernetesGoneException) when (attempt == 0)
            {
                // The snapshot expired between pages: list again from the start.
            }
        }
    }

    /// <summary>Full replace (PUT); the object's resourceVersion, if set, is a precondition (409 when stale).</summary>
    public async Task<T> ReplaceAsync(T item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var target = Kind.ItemPath(Namespace, item.Metadata.Name ?? throw new ArgumentException("metadata.name is required.", nameof(item)))
            + new QueryString().Add("fieldValidation", "Strict");
        using var response = await _client.SendAsync(HttpMethod.Put, target, () => Json(item), idempotent: item.Metadata.ResourceVersion is not null, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>Server-side apply with our field manager and <c>force</c> (we own these objects).</summary>
    public async Task<T> ApplyAsync(T item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var target = Kind.ItemPath(Namespace, item.Metadata.Name ?? throw new ArgumentException("metadata.name is required.", nameof(item)))
            + new QueryString().Add("fieldManager", _client.Options.FieldManager).Add("force", true).Add("fieldValidation", "Strict");
        using var response = await _client.SendAsync(HttpMethod.Patch, target, () => Json(item, "application/apply-patch+yaml"), idempotent: true, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>Deletes; returns false when the object was already gone (404 is success for cleanup).</summary>
    public Task<bool> DeleteAsync(string name, PropagationPolicy propagation = PropagationPolicy.Background, long? gracePeriodSeconds = null, CancellationToken cancellationToken = default) =>
        DeleteAsync(name, uid: null, propagation, gracePeriodSeconds, cancellationToken);

    /// <summary>
    /// Deletes the object only if it is still the one with <paramref name="uid"/> (a <c>preconditions.uid</c>
    /// DeleteOptions body): a stale actor cannot delete an object that was deleted and created again under the
    /// same name meanwhile. False when the object is gone or is another object now.
    /// </summary>
    public async Task<bool> DeleteAsync(string name, string? uid, PropagationPolicy propagation = PropagationPolicy.Background, long? gracePeriodSeconds = null, CancellationToken cancellationToken = default)
    {
        var target = Kind.ItemPath(Namespace, name) + new QueryString()
            .Add("propagationPolicy", propagation.ToString())
            .Add("gracePeriodSeconds", gracePeriodSeconds);
        Func<HttpContent?>? body = uid is null
            ? null
            : () => new StringContent(
                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":" + System.Text.Json.JsonSerializer.Serialize(uid) + "}}",
                System.Text.Encoding.UTF8,
                "application/json");
        try
        {
            // The answer is a Status or the still-terminating object; either means the deletion was accepted.
            using var response = await _client.SendAsync(HttpMethod.Delete, target, body, idempotent: true, cancellationToken);
            return true;
        }
        catch (KubernetesNotFoundException)
        {
            return false;
        }
        catch (KubernetesConflictException) when (uid is not null)
        {
            return false;
        }
    }

    /// <summary>Plain-text log of a pod's container (only valid on pods).</summary>
    public async Task<string> ReadLogAsync(string podName, PodLogOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (Kind != ResourceKind.Pods)
        {
            throw new InvalidOperationException("Logs exist only for pods.");
        }

        options ??= new PodLogOptions();
        var target = $"{Kind.ItemPath(Namespace, podName)}/log" + new QueryString()
            .Add("container", options.Container)
            .Add("tailLines", options.TailLines)
            .Add("previous", options.Previous)
            .Add("limitBytes", options.LimitBytes)
            .Add("timestamps", options.Timestamps)
            .Add("sinceSeconds", options.SinceSeconds);
        using var response = await _client.SendAsync(HttpMethod.Get, target, null, idempotent: true, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>
    /// List-then-watch (reference/kubernetes.md §2.3): ADDED for every listed object, then changes. Tracks the
    /// resourceVersion (bookmarks included), resumes after a dropped connection, re-lists after 410 and reports
    /// what changed or vanished during the gap, and backs off with jitter on errors. Runs until cancelled.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(ListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var known = new Dictionary<string, T>(StringComparer.Ordinal);
        string? resourceVersion = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (resourceVersion is null)
            {
                KubernetesList<T> list;
                try
                {
                    list = await ListAllAsync(options with { ResourceVersion = null }, cancellationToken);
                }
                catch (Exception e) when (e is KubernetesApiException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    await BackoffAsync(++failures, cancellationToken);
                    continue;
                }

                foreach (var change in Relist(known, list.Items))
                {
                    yield return change;
                }

                resourceVersion = list.Metadata.ResourceVersion;
            }

            var target = Kind.CollectionPath(Namespace) + new QueryString()
                .Add("watch", true)
                .Add("allowWatchBookmarks", true)
                .Add("labelSelector", options.LabelSelector)
                .Add("fieldSelector", options.FieldSelector)
                .Add("resourceVersion", resourceVersion)
                .Add("timeoutSeconds", _client.Options.WatchTimeoutSeconds);
            var stream = new WatchStream(_client, target, cancellationToken);
            await using (stream)
            {
                while (true)
                {
                    var line = await stream.NextAsync();
                    if (line.Kind == WatchLineKind.End)
                    {
                        break;
                    }

                    if (line.Kind == WatchLineKind.Expired)
                    {
                        resourceVersion = null;
                        break;
                    }

                    if (line.Kind == WatchLineKind.Failed)
                    {
                        await BackoffAsync(++failures, cancellationToken);
                        break;
                    }

                    failures = 0;
                    var item = line.Object!.Deserialize<T>(KubernetesJson.Options)!;
                    resourceVersion = item.Metadata.ResourceVersion ?? resourceVersion;
                    var key = item.Metadata.Name ?? "";
                    switch (line.Type)
                    {
                        case "ADDED":
                            known[key] = item;
                            yield return new WatchEvent<T>(WatchEventType.Added, item);
                            break;
                        case "MODIFIED":
                            known[key] = item;
                            yield return new WatchEvent<T>(WatchEventType.Modified, item);
                            break;
                        case "DELETED":
                            known.Remove(key);
                            yield return new WatchEvent<T>(WatchEventType.Deleted, item);
                            break;
                    }
                }
            }
        }
    }

    private static List<WatchEvent<T>> Relist(Dictionary<string, T> known, IReadOnlyList<T> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changes = new List<WatchEvent<T>>();
        foreach (var item in items)
        {
            var key = item.Metadata.Name ?? "";
            seen.Add(key);
            if (!known.TryGetValue(key, out var before))
            {
                changes.Add(new WatchEvent<T>(WatchEventType.Added, item));
            }
            else if (before.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                changes.Add(new WatchEvent<T>(WatchEventType.Modified, item));
            }

            known[key] = item;
        }

        foreach (var gone in known.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            changes.Add(new WatchEvent<T>(WatchEventType.Deleted, known[gone]));
            known.Remove(gone);
        }

        return changes;
    }

    private async Task BackoffAsync(int failures, CancellationToken cancellationToken)
    {
        var options = _client.Options;
        var exponential = options.WatchBackoffBase.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(exponential, options.WatchBackoffMax.TotalMilliseconds);
#pragma warning disable CA5394 // Jitter only spreads reconnects; it needs no cryptographic randomness.
        var jittered = (capped / 2) + (Random.Shared.NextDouble() * capped / 2);
#pragma warning restore CA5394
        await Task.Delay(TimeSpan.FromMilliseconds(jittered), options.TimeProvider, cancellationToken);
    }

    private static StringContent Json(T item, string mediaType = "application/json")
    {
        var content = new StringContent(KubernetesJson.Serialize(item), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        return content;
    }

    private static async Task<TResult> ReadAsync<TResult>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync<TResult>(stream, KubernetesJson.Options, cancellationToken)
            ?? throw new KubernetesApiException($"Empty answer from {response.RequestMessage?.RequestUri?.AbsolutePath}.");
    }
}
