namespace RoostKeeper.Ha.Docs.Tests.Markdown;

/// <summary>A fenced code block.</summary>
/// <param name="Language">The first word of the info string ("csharp", "sh", or empty).</param>
/// <param name="Info">The whole info string.</param>
/// <param name="FirstLine">The line of the first line of code (1-based).</param>
/// <param name="FenceLine">The line of the opening fence.</param>
/// <param name="EndLine">The line of the closing fence.</param>
/// <param name="Code">The code, lines joined with '\n'.</param>
internal sealed record CodeBlock(string Language, string Info, int FirstLine, int FenceLine, int EndLine, string Code);
