namespace Flame.DaprSim.Invocation;

/// <summary>
/// The operation lookup of access control policies, with daprd's matching rules (daprd: pkg/config/acl_trie.go): operations
/// are split on <c>/</c>; <c>/*</c> matches one segment (or a trailing one), <c>/**</c> any number of segments, and
/// <c>*</c> inside a segment matches any characters.
/// </summary>
public sealed class OperationTrie
{
    private const string SingleStage = "/*";
    private const string MultiStage = "/**";
    private readonly Node _root = new("/", null);

    public void Put(string operation, OperationAction action)
    {
        var parts = operation.Split('/');
        var node = _root;
        for (var i = 1; i < parts.Length; i++)
        {
            var segment = "/" + parts[i];
            var existing = node.Children.FirstOrDefault(c => c.Segment == segment);
            if (existing is null)
            {
                var created = new Node(segment, i == parts.Length - 1 ? action : null);
                node.Children.Add(created);
                node = created;
            }
            else if (i == parts.Length - 1)
            {
                existing.Action ??= action;
            }
            else
            {
                node = existing;
            }
        }
    }

    public OperationAction? Search(string operation)
    {
        var parts = operation.Split('/');
        Node? node = _root;
        for (var i = 1; i < parts.Length && node is not null; i++)
        {
            var isEnd = i == parts.Length - 1;
            node = FindChild(node, "/" + parts[i], isEnd);
            if (node is null)
            {
                return null;
            }

            if (node.Action is not null)
            {
                if (!isEnd && node.Segment.EndsWith(SingleStage, StringComparison.Ordinal) && !node.Segment.EndsWith(MultiStage, StringComparison.Ordinal))
                {
                    continue;
                }

                return node.Action;
            }

            if (isEnd)
            {
                node = FindChild(node, SingleStage, isEnd);
                if (node?.Action is not null)
                {
                    return node.Action;
                }
            }
        }

        return null;
    }

    private static Node? FindChild(Node node, string segment, bool isEnd)
    {
        foreach (var child in node.Children)
        {
            if (child.Segment == segment)
            {
                return child;
            }

            if (child.Segment == SingleStage)
            {
                if (isEnd)
                {
                    return child;
                }

                continue;
            }

            if (child.Segment == MultiStage || IsMatch(segment, child.Segment))
            {
                return child;
            }
        }

        return null;
    }

    /// <summary>Glob match where <c>*</c> matches any run of characters (daprd: <c>isMatch</c>).</summary>
    private static bool IsMatch(string target, string pattern)
    {
        var match = new bool[target.Length + 1, pattern.Length + 1];
        match[0, 0] = true;
        for (var j = 1; j <= pattern.Length && pattern[j - 1] == '*'; j++)
        {
            match[0, j] = true;
        }

        for (var i = 1; i <= target.Length; i++)
        {
            for (var j = 1; j <= pattern.Length; j++)
            {
                match[i, j] = pattern[j - 1] == '*'
                    ? match[i, j - 1] || match[i - 1, j]
                    : target[i - 1] == pattern[j - 1] && match[i - 1, j - 1];
            }
        }

        return match[target.Length, pattern.Length];
    }

    private sealed class Node(string segment, OperationAction? action)
    {
        public string Segment { get; } = segment;

        public OperationAction? Action { get; set; } = action;

        public List<Node> Children { get; } = [];
    }
}

/// <summary>The actions of one operation: per HTTP verb (<c>*</c> for any), and the action for calls without a verb.</summary>
public sealed record OperationAction(IReadOnlyDictionary<string, string> VerbActions, string Action);
