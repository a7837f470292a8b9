using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RoostKeeper.Ha.Docs.Tests.CodeBlocks;

namespace RoostKeeper.Ha.Docs.Tests.Architecture;

/// <summary>
/// Reads a src/ project's C# files with Roslyn and computes its <see cref="FolderGraph"/>: every name in a file
/// (type, member, extension method, attribute) is bound with the semantic model, and where it is declared in
/// another folder of the same project, that is an edge. Binding, not text: a <c>using</c> that is never used
/// makes no edge, and a type of the same namespace in another folder does.
/// </summary>
internal static class SourceFolders
{
    /// <summary>The shipped projects, in the order docs/architecture.md shows them.</summary>
    public static readonly string[] Projects = ["RoostKeeper.Ha", "RoostKeeper.Ha.AspNetCore", "RoostKeeper.Ha.Backups.S3", "RoostKeeper.Ha.Testing"];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static FolderGraph Build(string project)
    {
        var directory = Path.Combine(Repository.Root, "src", project);
        var files = Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(directory, f)), ParseOptions, path: f)).ToList();

        // The projects compile with <ImplicitUsings>enable</ImplicitUsings>, as documentation blocks do.
        // The project's own assembly is left out of the references: its types must bind to these sources.
        // The compilation carries the project's name, so InternalsVisibleTo of its dependencies applies.
        var compilation = CSharpCompilation.Create(
            project,
            [.. trees, CSharpSyntaxTree.ParseText(DocumentationCompiler.ImplicitUsings, ParseOptions, path: "(implicit usings)")],
            DocumentationCompiler.AllReferences.Where(r => !string.Equals(Path.GetFileNameWithoutExtension(r.Display), project, StringComparison.OrdinalIgnoreCase)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        // Only a name that the project declares can bind to the project: the others are not worth binding.
        var declaredNames = trees.SelectMany(t => t.GetRoot().DescendantNodes()).Select(DeclaredName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var evidence = new Dictionary<(string From, string To), SortedDictionary<string, SortedSet<string>>>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var from = tree.FilePath;
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                if (!declaredNames.Contains(name.Identifier.ValueText) || Declaration(model, name) is not { } declared)
                {
                    continue;
                }

                var (symbol, to) = declared;
                if (TopFolder(from) == TopFolder(to))
                {
                    continue;
                }

                var key = (TopFolder(from), TopFolder(to));
                if (!evidence.TryGetValue(key, out var pairs))
                {
                    evidence[key] = pairs = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
                }

                var pair = $"{from} -> {to}";
                if (!pairs.TryGetValue(pair, out var names))
                {
                    pairs[pair] = names = new SortedSet<string>(StringComparer.Ordinal);
                }

                names.Add(symbol);
            }
        }

        var folders = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var subfolders = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            folders[TopFolder(file)] = folders.GetValueOrDefault(TopFolder(file)) + 1;
            var folder = Path.GetDirectoryName(file)!.Replace('\\', '/');
            if (folder.Contains('/', StringComparison.Ordinal))
            {
                subfolders[folder] = subfolders.GetValueOrDefault(folder) + 1;
            }
        }

        var edges = evidence.ToDictionary(
            e => e.Key,
            e => (IReadOnlyList<string>)e.Value.Select(p => $"{p.Key} ({string.Join(", ", p.Value)})").ToList());
        return new FolderGraph(project, folders, subfolders, edges);
    }

    /// <summary>The name a declaration introduces (a type, member, enum member or record parameter), else null.</summary>
    private static string? DeclaredName(SyntaxNode node) => node switch
    {
        BaseTypeDeclarationSyntax type => type.Identifier.ValueText,
        DelegateDeclarationSyntax @delegate => @delegate.Identifier.ValueText,
        MethodDeclarationSyntax method => method.Identifier.ValueText,
        PropertyDeclarationSyntax property => property.Identifier.ValueText,
        EventDeclarationSyntax @event => @event.Identifier.ValueText,
        EnumMemberDeclarationSyntax member => member.Identifier.ValueText,
        VariableDeclaratorSyntax { Parent.Parent: BaseFieldDeclarationSyntax } field => field.Identifier.ValueText,
        ParameterSyntax { Parent.Parent: TypeDeclarationSyntax } parameter => parameter.Identifier.ValueText,
        _ => null,
    };

    /// <summary>"(root)" for a file in the project's folder, else its first folder.</summary>
    public static string TopFolder(string file) => file.Contains('/', StringComparison.Ordinal) ? file[..file.IndexOf('/', StringComparison.Ordinal)] : FolderGraph.Root;

    /// <summary>What <paramref name="name"/> refers to, and the file (of this project) that declares it; null for anything else.</summary>
    private static (string Symbol, string File)? Declaration(SemanticModel model, SimpleNameSyntax name)
    {
        var info = model.GetSymbolInfo(name);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
        if (symbol is IMethodSymbol { ReducedFrom: { } extension })
        {
            symbol = extension;
        }

        symbol = symbol?.OriginalDefinition;
        if (symbol is IAliasSymbol alias)
        {
            symbol = alias.Target;
        }

        if (symbol is null or INamespaceSymbol or ILocalSymbol or IParameterSymbol or ITypeParameterSymbol or IRangeVariableSymbol or ILabelSymbol or IDiscardSymbol)
        {
            return null;
        }

        // A member declared in source names its own file (a partial type's parts may live in different
        // folders); an implicit one (a record's generated members, a default constructor) its type's.
        var declaring = symbol.Locations.FirstOrDefault(l => l.IsInSource && l.SourceTree?.FilePath != "(implicit usings)")
            ?? symbol.ContainingType?.Locations.FirstOrDefault(l => l.IsInSource);
        if (declaring?.SourceTree?.FilePath is not { } file || file == "(implicit usings)")
        {
            return null;
        }

        var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        if (type is not null && symbol is INamedTypeSymbol)
        {
            // A partial type referenced by name: prefer the part in the referencing folder (no edge), else its
            // first part.
            var here = TopFolder(name.SyntaxTree.FilePath);
            var sameFolder = type.Locations.FirstOrDefault(l => l.IsInSource && TopFolder(l.SourceTree!.FilePath) == here);
            if (sameFolder is not null)
            {
                file = sameFolder.SourceTree!.FilePath;
            }
        }

        var display = type is null || symbol is INamedTypeSymbol ? symbol.Name : $"{type.Name}.{symbol.Name}";
        return (display, file);
    }
}
