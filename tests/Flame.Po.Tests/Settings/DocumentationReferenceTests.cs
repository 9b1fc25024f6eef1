using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Flame.Po.Tests.Settings;

/// <summary>
/// Comments cite only documents the repository carries (docs/README.md): no source file under <c>services/</c>,
/// <c>shared/</c> or <c>tests/</c> names one of the team's documents outside it, and every <c>docs/*.md</c> a source
/// file names exists — with the section, when it names one by anchor (<c>docs/compatibility.md#b18</c>).
/// </summary>
public sealed partial class DocumentationReferenceTests
{
    private static readonly string[] SourceFolders = ["services", "shared", "tests"];

    [Fact]
    public void Finds_the_sources_and_their_citations()
    {
        Sources().Count.Should().BeGreaterThan(100, "the scan must see the repository's C# files");
        Citations().Count.Should().BeGreaterThan(100, "comments cite docs/compatibility.md and docs/architecture.md");
    }

    [Fact]
    public void No_source_cites_a_document_outside_the_repository()
    {
        var offending = Sources()
            .SelectMany(source => Lines(source).Where(line => OutsideDocument().IsMatch(line.Text)))
            .Select(line => $"{line.Location}: {line.Text.Trim()}")
            .ToList();

        offending.Should().BeEmpty(
            "comments must cite docs/compatibility.md or docs/architecture.md (or a public source), never the "
            + "behavioural spec, the design notes, the reference notes or ../shared, which are not in the repository");
    }

    [Fact]
    public void Every_cited_document_exists()
    {
        var missing = Citations()
            .Where(c => !File.Exists(DocPath(c.Document)))
            .Select(c => $"{c.Location}: docs/{c.Document}")
            .ToList();

        missing.Should().BeEmpty("a comment may only cite a document that is in docs/");
    }

    [Fact]
    public void Every_cited_section_exists()
    {
        var anchors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var citation in Citations().Where(c => c.Anchor is not null && File.Exists(DocPath(c.Document))))
        {
            if (!anchors.TryGetValue(citation.Document, out var known))
            {
                known = Anchors(File.ReadAllText(DocPath(citation.Document)));
                anchors[citation.Document] = known;
            }

            if (!known.Contains(citation.Anchor!))
            {
                missing.Add($"{citation.Location}: docs/{citation.Document}#{citation.Anchor}");
            }
        }

        missing.Should().BeEmpty("a cited section must exist: an explicit <a id> or a heading's GitHub anchor");
    }

    [Theory]
    [InlineData("/// <summary>Checked as the spec says (po-spec §3.3).</summary>")]
    [InlineData("// see po-spec B18")]
    [InlineData("/// Owned by the lifecycle (DESIGN §2).")]
    [InlineData("# the design (DESIGN.md §4)")]
    [InlineData("/// state API (reference/dapr.md §2.2)")]
    [InlineData("/// non-root user (reference §6)")]
    [InlineData("/// see ../shared/po-spec.md")]
    public void Recognises_citations_of_documents_outside_the_repository(string line) =>
        OutsideDocument().IsMatch(line).Should().BeTrue(line);

    [Theory]
    [InlineData("/// the old service's table (docs/compatibility.md#decisions)")]
    [InlineData("<ProjectReference Include=\"../../shared/Flame.Po.Core/Flame.Po.Core.csproj\" />")]
    [InlineData("/// A reference/value pair")]
    [InlineData("/// DESIGNATED by the caller")]
    public void Leaves_other_text_alone(string line) =>
        OutsideDocument().IsMatch(line).Should().BeFalse(line);

    [Fact]
    public void Derives_heading_anchors_as_GitHub_does() =>
        Anchors("## The nginx egress proxy\n### 1. `POST /po/` — create\n<a id=\"b18\"></a>\n")
            .Should().BeEquivalentTo(["the-nginx-egress-proxy", "1-post-po--create", "b18"]);

    private static List<string> Sources()
    {
        var root = RepositoryRoot();
        var self = Path.GetFullPath(ThisFile());
        return SourceFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Where(path => !string.Equals(Path.GetFullPath(path), self, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static List<Citation> Citations() =>
        Sources()
            .SelectMany(Lines)
            .SelectMany(line => DocCitation().Matches(line.Text).Select(m => new Citation(
                line.Location,
                m.Groups["doc"].Value,
                m.Groups["anchor"].Success ? m.Groups["anchor"].Value : null)))
            .ToList();

    private static IEnumerable<SourceLine> Lines(string path)
    {
        var relative = Path.GetRelativePath(RepositoryRoot(), path);
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            yield return new SourceLine($"{relative}:{number}", text);
        }
    }

    /// <summary>Explicit <c>&lt;a id&gt;</c> anchors and the anchors GitHub derives from headings.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = ExplicitAnchor().Matches(markdown).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        foreach (Match heading in Heading().Matches(markdown))
        {
            var slug = new StringBuilder();
            foreach (var c in heading.Groups[1].Value.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            anchors.Add(slug.ToString());
        }

        return anchors;
    }

    private static string DocPath(string document) => Path.Combine(RepositoryRoot(), "docs", document);

    private static string RepositoryRoot() =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>The team's documents that are not in the repository, as comments used to cite them.</summary>
    [GeneratedRegex(@"po-spec|\bDESIGN( §|\.md)|(?<![\w/.-])reference/[\w.-]+\.md|\breference §|(?<![\w./])\.\./shared", RegexOptions.CultureInvariant)]
    private static partial Regex OutsideDocument();

    [GeneratedRegex(@"(?<![\w/.-])docs/(?<doc>[A-Za-z0-9_.-]+\.md)(?:#(?<anchor>[A-Za-z0-9_-]+))?", RegexOptions.CultureInvariant)]
    private static partial Regex DocCitation();

    [GeneratedRegex("<a id=\"([^\"]+)\"></a>", RegexOptions.CultureInvariant)]
    private static partial Regex ExplicitAnchor();

    [GeneratedRegex(@"^#{1,6}[ \t]+(.+?)[ \t]*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex Heading();

    private sealed record SourceLine(string Location, string Text);

    private sealed record Citation(string Location, string Document, string? Anchor);
}
