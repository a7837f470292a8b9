using RoostKeeper.Ha.Docs.Tests.Markdown;

namespace RoostKeeper.Ha.Docs.Tests.CodeBlocks;

/// <summary>
/// Every C# block of README.md, and every C# block of docs/*.md not marked <c>// fragment</c>, compiles
/// against the packages: a renamed method or option breaks this test, not a reader's first attempt.
/// </summary>
public sealed class CodeBlockCompilationTests
{
    public static TheoryData<string, int> CompiledBlocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var path in Repository.DocumentationFiles())
        {
            var file = MarkdownFile.Load(path);
            foreach (var block in file.CodeBlocks.Where(b => DocumentationCompiler.IsCompiled(file, b)))
            {
                data.Add(path, block.FirstLine);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CompiledBlocks))]
    public void Block_compiles(string path, int line)
    {
        var file = MarkdownFile.Load(path);
        var block = file.CodeBlocks.Single(b => b.FirstLine == line);

        var errors = DocumentationCompiler.Errors(file, block);

        Assert.True(errors.Count == 0, $"The C# block at {path}:{line} does not compile:\n{string.Join("\n", errors)}");
    }

    [Fact]
    public void Readme_has_a_compiled_quick_start()
    {
        var readme = MarkdownFile.Load("README.md");

        Assert.Contains(readme.CodeBlocks, b => DocumentationCompiler.IsCompiled(readme, b) && b.Code.Contains("AddRoostHa", StringComparison.Ordinal));
    }

    [Fact]
    public void A_block_that_does_not_compile_is_reported_with_its_line_in_the_markdown_file()
    {
        var file = MarkdownFile.Load("README.md");
        var block = new CodeBlock("csharp", "csharp", 40, 39, 43, "using RoostKeeper.Ha.Election;\n\nvar o = new LeaderElectionOptions();\no.NoSuchOption = 1;\n");

        var errors = DocumentationCompiler.Errors(file, block);

        var error = Assert.Single(errors);
        Assert.StartsWith("README.md:43:", error, StringComparison.Ordinal);
        Assert.Contains("NoSuchOption", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_docs_block_marked_as_a_fragment_is_not_compiled_but_a_readme_block_always_is()
    {
        var docs = MarkdownFile.Load("docs/configuration.md");
        var readme = MarkdownFile.Load("README.md");
        var fragment = new CodeBlock("csharp", "csharp", 2, 1, 4, "// fragment\n.AddRollingUpdates();\n");
        var shell = new CodeBlock("sh", "sh", 2, 1, 4, "dotnet test\n");

        Assert.False(DocumentationCompiler.IsCompiled(docs, fragment));
        Assert.True(DocumentationCompiler.IsCompiled(readme, fragment));
        Assert.False(DocumentationCompiler.IsCompiled(readme, shell));
    }
}
