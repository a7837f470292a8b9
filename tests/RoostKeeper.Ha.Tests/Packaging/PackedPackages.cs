using System.IO.Compression;
using System.Text;
using System.Xml.Linq;

namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>
/// Packs the four shipped projects with <c>dotnet pack src/&lt;package&gt; -c Release</c> into a temporary folder once
/// for the test class, then runs the README's root command (<c>dotnet pack -c Release -o …</c>, here with
/// <c>--no-build</c> on the build just made) into another, and exposes what they produced.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    /// <summary>The shipped packages, each packed from src/&lt;id&gt;.</summary>
    public static readonly string[] Ids = ["RoostKeeper.Ha", "RoostKeeper.Ha.Testing", "RoostKeeper.Ha.Backups.S3", "RoostKeeper.Ha.AspNetCore"];

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(8);

    private readonly string _output = Path.Combine(Path.GetTempPath(), $"roostha-pack-{Guid.NewGuid():N}");

    private readonly Dictionary<string, PackedPackage> _packages = new(StringComparer.Ordinal);

    /// <summary>The folder holding the four .nupkg files, usable as a package source.</summary>
    public string Folder => Path.Combine(_output, "each");

    /// <summary>A package by id.</summary>
    public PackedPackage this[string id] => _packages[id];

    /// <summary>Each project's EnablePackageValidation, as MSBuild evaluates it.</summary>
    public IReadOnlyDictionary<string, string> PackageValidation { get; private set; } = new Dictionary<string, string>();

    /// <summary>The core package packed with <c>--include-symbols -p:SymbolPackageFormat=snupkg</c> (NU5005 with a nuspec that lists no PDB).</summary>
    public (int ExitCode, string Log, IReadOnlyList<string> Files) CoreSymbolsPack { get; private set; }

    /// <summary>The exit code, output and produced files of <c>dotnet pack -c Release --no-build -o …</c> at the root.</summary>
    public (int ExitCode, string Log, IReadOnlyList<string> Files) RootPack { get; private set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_output);
        using var packLock = await PackLock.AcquireAsync(RepositoryLayout.Root);
        foreach (var id in Ids)
        {
            var (exitCode, log) = await DotnetAsync("pack", Path.Combine(RepositoryLayout.Root, "src", id, id + ".csproj"), "-c", "Release", "-o", Path.Combine(_output, "each"));
            Assert.True(exitCode == 0, $"dotnet pack src/{id} exited with {exitCode}:\n{log}");
        }

        foreach (var id in Ids)
        {
            var nupkg = Assert.Single(Directory.GetFiles(Path.Combine(_output, "each"), $"{id}.*.nupkg"), f => Path.GetFileName(f) is var n && n.Length > id.Length + 1 && char.IsDigit(n[id.Length + 1]));
            _packages[id] = await PackedPackage.ReadAsync(id, nupkg);
        }

        var validation = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in Ids)
        {
            var (exitCode, log) = await DotnetAsync("msbuild", Path.Combine(RepositoryLayout.Root, "src", id, id + ".csproj"), "-getProperty:EnablePackageValidation");
            Assert.True(exitCode == 0, $"dotnet msbuild src/{id} -getProperty exited with {exitCode}:\n{log}");
            validation[id] = log.Trim();
        }

        PackageValidation = validation;
        var symbols = Path.Combine(_output, "symbols");
        var (symbolsExit, symbolsLog) = await DotnetAsync(
            "pack", RepositoryLayout.CoreProject, "-c", "Release", "--no-build", "--include-symbols", "-p:SymbolPackageFormat=snupkg", "-o", symbols);
        CoreSymbolsPack = (symbolsExit, symbolsLog, Directory.Exists(symbols) ? [.. Directory.GetFiles(symbols).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : []);
        var root = Path.Combine(_output, "root");
        var (rootExit, rootLog) = await DotnetAsync("pack", "-c", "Release", "--no-build", "-o", root);
        RootPack = (rootExit, rootLog, Directory.Exists(root) ? [.. Directory.GetFiles(root).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : []);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_output, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs the dotnet CLI in the repository root (<see cref="DotnetCli"/>), with this class's patience.</summary>
    internal static Task<(int ExitCode, string Log)> DotnetAsync(params string[] arguments) => DotnetCli.RunAsync(arguments, PackTimeout);
}

/// <summary>One produced .nupkg: its entries (paths with '/'), its .nuspec and the bytes of any entry.</summary>
public sealed class PackedPackage
{
    private readonly Dictionary<string, byte[]> _files;

    private PackedPackage(string id, XDocument nuspec, Dictionary<string, byte[]> files)
    {
        Id = id;
        Nuspec = nuspec;
        _files = files;
    }

    public string Id { get; }

    public XDocument Nuspec { get; }

    public IReadOnlyList<string> Entries => [.. _files.Keys];

    /// <summary>A metadata element's text, or null.</summary>
    public string? Metadata(string name) => Nuspec.Descendants().Single(e => e.Name.LocalName == "metadata").Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    public XElement? MetadataElement(string name) => Nuspec.Descendants().Single(e => e.Name.LocalName == "metadata").Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public byte[] File(string entry) => _files.TryGetValue(entry, out var bytes) ? bytes : throw new Xunit.Sdk.XunitException($"{Id}: no {entry} in the package; it has {string.Join(", ", _files.Keys)}");

    public static async Task<PackedPackage> ReadAsync(string id, string nupkg)
    {
        using var archive = ZipFile.OpenRead(nupkg);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            await using var stream = entry.Open();
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            files[entry.FullName] = copy.ToArray();
        }

        var nuspec = XDocument.Parse(Encoding.UTF8.GetString(files[$"{id}.nuspec"]).TrimStart('\uFEFF'));
        return new PackedPackage(id, nuspec, files);
    }
}
