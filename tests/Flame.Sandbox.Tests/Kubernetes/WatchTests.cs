using System.Text.Json.Nodes;

using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.Kubernetes;

public sealed class WatchTests
{
    [Fact]
    public async Task Watch_without_revision_sends_current_objects_then_changes_one_line_each()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1"));
        await using var watch = await WatchReader.OpenAsync(h.Http, $"{h.ConfigMaps}?watch=true");
        watch.StatusCode.Should().Be(200);
        var added = await watch.NextChangeAsync();
        added.S("type").Should().Be("ADDED");
        added.S("object", "metadata", "name").Should().Be("c1");

        await h.SendAsync(HttpMethod.Patch, $"{h.ConfigMaps}/c1", JsonNode.Parse("""{"data":{"k":"2"}}"""), "application/merge-patch+json");
        var modified = await watch.NextChangeAsync();
        modified.S("type").Should().Be("MODIFIED");
        modified.S("object", "data", "k").Should().Be("2");

        await h.SendAsync(HttpMethod.Delete, $"{h.ConfigMaps}/c1");
        (await watch.NextChangeAsync()).S("type").Should().Be("DELETED");
    }

    [Fact]
    public async Task Watch_from_a_revision_replays_later_events_and_a_compacted_revision_gets_410()
    {
        await using var h = await SandboxHarness.StartAsync();
        var (_, c1) = await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1"));
        var rv = c1.S("metadata", "resourceVersion");
        await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c2"));
        await using (var replay = await WatchReader.OpenAsync(h.Http, $"{h.ConfigMaps}?watch=true&resourceVersion={rv}"))
        {
            var evt = await replay.NextChangeAsync();
            evt.S("type").Should().Be("ADDED");
            evt.S("object", "metadata", "name").Should().Be("c2");
        }

        h.Server.Objects.CompactWatchHistory();
        await using var expired = await WatchReader.OpenAsync(h.Http, $"{h.ConfigMaps}?watch=true&resourceVersion={rv}");
        expired.StatusCode.Should().Be(200);
        var error = await expired.NextAsync();
        error.S("type").Should().Be("ERROR");
        error.S("object", "kind").Should().Be("Status");
        error.S("object", "code").Should().Be("410");
        error.S("object", "reason").Should().Be("Expired");
        error.S("object", "message").Should().StartWith($"too old resource version: {rv} (");
        (await expired.NextAsync()).Should().BeNull();
    }

    [Fact]
    public async Task Bookmarks_carry_only_a_resource_version_and_timeout_closes_the_stream()
    {
        await using var h = await SandboxHarness.StartAsync(new SandboxOptions { TimeScale = 0.001, BookmarkInterval = TimeSpan.FromMilliseconds(50) });
        await using var watch = await WatchReader.OpenAsync(h.Http, $"{h.ConfigMaps}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion={h.Server.Objects.ResourceVersion}");
        var bookmark = await watch.NextAsync();
        bookmark.S("type").Should().Be("BOOKMARK");
        bookmark.S("object", "kind").Should().Be("ConfigMap");
        bookmark!["object"]!["metadata"]!.AsObject().Select(p => p.Key).Should().Equal("resourceVersion");
        while (await watch.NextAsync() is { } evt)
        {
            evt.S("type").Should().Be("BOOKMARK");
        }
    }

    [Fact]
    public async Task Selector_watch_turns_stop_matching_into_deleted_and_start_matching_into_added()
    {
        await using var h = await SandboxHarness.StartAsync();
        await h.PostAsync(h.ConfigMaps, SandboxHarness.ConfigMap("c1", new Dictionary<string, string> { ["app"] = "x" }));
        await using var watch = await WatchReader.OpenAsync(h.Http, $"{h.ConfigMaps}?watch=true&labelSelector=app%3Dx");
        (await watch.NextChangeAsync()).S("type").Should().Be("ADDED");
        await h.SendAsync(HttpMethod.Patch, $"{h.ConfigMaps}/c1", JsonNode.Parse("""{"metadata":{"labels":{"app":"y"}}}"""), "application/merge-patch+json");
        (await watch.NextChangeAsync()).S("type").Should().Be("DELETED");
        await h.SendAsync(HttpMethod.Patch, $"{h.ConfigMaps}/c1", JsonNode.Parse("""{"metadata":{"labels":{"app":"x"}}}"""), "application/merge-patch+json");
        (await watch.NextChangeAsync()).S("type").Should().Be("ADDED");
    }
}
