using System.Text;
using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Docs.Tests.Markdown;

/// <summary>
/// The parts of a Markdown file the documentation tests check: fenced code blocks, links and heading anchors,
/// each with the line it is on (1-based) so a failure points at the place to fix.
/// </summary>
internal sealed partial class MarkdownFile
{
    private MarkdownFile(string path, string relativePath, IReadOnlyList<string> lines)
    {
        Path = path;
        RelativePath = relativePath;
        Lines = lines;
        CodeBlocks = ReadCodeBlocks(lines);
        Links = ReadLinks(lines, CodeBlocks);
        Anchors = ReadAnchors(lines, CodeBlocks);
    }

    /// <summary>The full path.</summary>
    public string Path { get; }

    /// <summary>The path from the repository root, with '/' separators (how failures name the file).</summary>
    public string RelativePath { get; }

    public IReadOnlyList<string> Lines { get; }

    public IReadOnlyList<CodeBlock> CodeBlocks { get; }

    public IReadOnlyList<MarkdownLink> Links { get; }

    /// <summary>The anchors GitHub gives the headings (lowercase, punctuation dropped, spaces to '-', duplicates numbered).</summary>
    public IReadOnlySet<string> Anchors { get; }

    public static MarkdownFile Load(string relativePath)
    {
        var path = System.IO.Path.Combine(Repository.Root, relativePath);
        return new MarkdownFile(path, relativePath.Replace('\\', '/'), File.ReadAllLines(path));
    }

    private static List<CodeBlock> ReadCodeBlocks(IReadOnlyList<string> lines)
    {
        var blocks = new List<CodeBlock>();
        for (var i = 0; i < lines.Count; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var fence = open.Groups["fence"].Value;
            var info = open.Groups["info"].Value.Trim();
            var start = i + 1;
            var code = new StringBuilder();
            i++;
            while (i < lines.Count && !lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal))
            {
                code.Append(lines[i]).Append('\n');
                i++;
            }

            var language = info.Split(' ', 2)[0];
            blocks.Add(new CodeBlock(language, info, start + 1, start, i + 1, code.ToString()));
        }

        return blocks;
    }

    private static List<MarkdownLink> ReadLinks(IReadOnlyList<string> lines, IReadOnlyList<CodeBlock> blocks)
    {
        var links = new List<MarkdownLink>();
        for (var i = 0; i < lines.Count; i++)
        {
            var lineNumber = i + 1;
            if (blocks.Any(b => lineNumber >= b.FenceLine && lineNumber <= b.EndLine))
            {
                continue;
            }

            // Inline code may show link syntax as an example; it is not a link.
            var text = InlineCode().Replace(lines[i], "");
            foreach (Match m in Link().Matches(text))
            {
                links.Add(new MarkdownLink(m.Groups["target"].Value, lineNumber));
            }

            foreach (Match m in ReferenceDefinition().Matches(text))
            {
                links.Add(new MarkdownLink(m.Groups["target"].Value, lineNumber));
            }
        }

        return links;
    }

    private static HashSet<string> ReadAnchors(IReadOnlyList<string> lines, IReadOnlyList<CodeBlock> blocks)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var lineNumber = i + 1;
            if (blocks.Any(b => lineNumber >= b.FenceLine && lineNumber <= b.EndLine))
            {
                continue;
            }

            var heading = Heading().Match(lines[i]);
            if (!heading.Success)
            {
                continue;
            }

            var slug = Slug(heading.Groups["text"].Value);
            if (seen.TryGetValue(slug, out var count))
            {
                seen[slug] = count + 1;
                anchors.Add($"{slug}-{count}");
            }
            else
            {
                seen[slug] = 1;
                anchors.Add(slug);
            }
        }

        return anchors;
    }

    /// <summary>GitHub's heading slug: markup removed, lowercase, letters/digits/'-'/'_' kept, spaces to '-'.</summary>
    internal static string Slug(string heading)
    {
        var text = MarkdownLinkText().Replace(heading.Trim(), "${text}");
        var slug = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
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

        return slug.ToString();
    }

    [GeneratedRegex(@"^\s{0,3}(?<fence>```+|~~~+)(?<info>[^`]*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s+(?<target>\S+)")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex MarkdownLinkText();
}
