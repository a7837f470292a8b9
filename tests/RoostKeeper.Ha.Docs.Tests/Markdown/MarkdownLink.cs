namespace RoostKeeper.Ha.Docs.Tests.Markdown;

/// <summary>A link target (as written) and its line.</summary>
internal sealed record MarkdownLink(string Target, int Line);
