using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RoostKeeper.Ha.Docs.Tests.Markdown;

namespace RoostKeeper.Ha.Docs.Tests.CodeBlocks;

/// <summary>
/// Compiles a documentation block as the Program.cs of a new console or web project that references the
/// packages would: C# latest, nullable on, the SDK's implicit usings, and every assembly this test runs with
/// (the .NET and ASP.NET Core shared frameworks, KubernetesClient and the four RoostKeeper.Ha packages).
/// </summary>
internal static class DocumentationCompiler
{
    /// <summary>The first line that keeps a docs/*.md block out of compilation (the two readmes' blocks always compile).</summary>
    public const string FragmentMarker = "// fragment";

    /// <summary>The usings of &lt;ImplicitUsings&gt;enable&lt;/ImplicitUsings&gt; in Microsoft.NET.Sdk.</summary>
    public const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    /// <summary>What Microsoft.NET.Sdk.Web adds: a block that builds a WebApplication is the Program.cs of a web project.</summary>
    private const string WebImplicitUsings = """
        global using global::System.Net.Http.Json;
        global using global::Microsoft.AspNetCore.Builder;
        global using global::Microsoft.AspNetCore.Hosting;
        global using global::Microsoft.AspNetCore.Http;
        global using global::Microsoft.AspNetCore.Routing;
        global using global::Microsoft.Extensions.Configuration;
        global using global::Microsoft.Extensions.DependencyInjection;
        global using global::Microsoft.Extensions.Hosting;
        global using global::Microsoft.Extensions.Logging;
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>Every assembly this test runs with, as compiler references (also what Architecture/ binds the sources against).</summary>
    public static IReadOnlyList<MetadataReference> AllReferences => References.Value;

    /// <summary>Whether a block of <paramref name="file"/> is compiled: C# blocks, in docs/ unless marked a fragment.</summary>
    public static bool IsCompiled(MarkdownFile file, CodeBlock block) =>
        block.Language is "csharp" or "cs" or "c#"
        && (file.RelativePath == "README.md" || Repository.PackageReadmes().Contains(file.RelativePath) || !block.Code.TrimStart().StartsWith(FragmentMarker, StringComparison.Ordinal));

    /// <summary>Compiles the block; returns its errors with line numbers in the Markdown file.</summary>
    public static IReadOnlyList<string> Errors(MarkdownFile file, CodeBlock block)
    {
        var tree = CSharpSyntaxTree.ParseText(block.Code, ParseOptions, path: file.RelativePath);
        var hasStatements = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            $"DocumentationBlock_{block.FirstLine}",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings + (block.Code.Contains("WebApplication", StringComparison.Ordinal) ? "\n" + WebImplicitUsings : ""), ParseOptions, path: "ImplicitUsings.cs")],
            References.Value,
            new CSharpCompilationOptions(
                hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));

        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        return result.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => Describe(file, block, d))
            .ToList();
    }

    private static string Describe(MarkdownFile file, CodeBlock block, Diagnostic diagnostic)
    {
        if (!diagnostic.Location.IsInSource || diagnostic.Location.SourceTree?.FilePath != file.RelativePath)
        {
            return $"{file.RelativePath}:{block.FirstLine}: {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        var span = diagnostic.Location.GetLineSpan();
        var line = block.FirstLine + span.StartLinePosition.Line;
        var column = span.StartLinePosition.Character + 1;
        return $"{file.RelativePath}:{line}:{column}: {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        // The test host's trusted platform assemblies are the shared frameworks plus this project's
        // dependencies (deps.json), which are exactly what a project referencing the packages compiles against.
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("RoostKeeper.Ha.Docs.Tests", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        var references = new List<MetadataReference>();
        foreach (var path in paths)
        {
            try
            {
                using var stream = File.OpenRead(path);
                using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
                if (reader.HasMetadata)
                {
                    references.Add(MetadataReference.CreateFromFile(path));
                }
            }
            catch (BadImageFormatException)
            {
                // A native library next to the managed ones: not a reference.
            }
        }

        return references;
    }
}
