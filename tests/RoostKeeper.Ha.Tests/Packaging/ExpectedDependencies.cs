using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>
/// The dependencies a project's package must declare, read from the MSBuild files the way NuGet's pack
/// would see them: every <c>&lt;PackageReference Include="..."&gt;</c> of the project (and of the shared
/// Directory.Build files) that is not <c>PrivateAssets="all"</c>, for each of its TargetFrameworks, at the
/// version Directory.Packages.props gives it (with <c>$(Property)</c> references resolved from the
/// properties that file defines).
/// </summary>
public static partial class ExpectedDependencies
{
    /// <summary>Computes the dependency set of <paramref name="projectPath"/>.</summary>
    /// <param name="projectPath">The .csproj.</param>
    /// <param name="packagesPropsPath">The Directory.Packages.props with the central versions.</param>
    /// <param name="sharedBuildFiles">Directory.Build.props/targets whose PackageReferences apply to the project too.</param>
    /// <returns>One entry per target framework and package.</returns>
    public static IReadOnlySet<PackageDependency> Compute(string projectPath, string packagesPropsPath, IEnumerable<string> sharedBuildFiles)
    {
        var project = XDocument.Load(projectPath);
        var projectProperties = ReadProperties(project);
        var frameworks = (projectProperties.GetValueOrDefault("TargetFrameworks") ?? projectProperties.GetValueOrDefault("TargetFramework") ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (frameworks.Length == 0)
        {
            throw new InvalidOperationException($"{projectPath} names no TargetFramework(s).");
        }

        var result = new HashSet<PackageDependency>();
        foreach (var file in sharedBuildFiles.Where(File.Exists).Prepend(projectPath))
        {
            var document = file == projectPath ? project : XDocument.Load(file);
            foreach (var reference in Elements(document, "PackageReference"))
            {
                var id = reference.Attribute("Include")?.Value;
                if (string.IsNullOrEmpty(id) || IsPrivate(reference))
                {
                    continue;
                }

                foreach (var framework in frameworks.Where(f => AppliesTo(reference, f, projectProperties, file)))
                {
                    var version = reference.Attribute("VersionOverride")?.Value ?? reference.Attribute("Version")?.Value
                        ?? (CentralVersions(packagesPropsPath, framework).TryGetValue(id, out var central) ? central
                            : throw new InvalidOperationException($"{file}: PackageReference {id} has no PackageVersion for {framework} in {packagesPropsPath}."));
                    result.Add(new PackageDependency(framework, id, version));
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The id → version table a Directory.Packages.props gives one target framework, with its own properties
    /// resolved: PackageVersions in an ItemGroup whose condition tests $(TargetFramework) count only where it holds.
    /// </summary>
    /// <param name="packagesPropsPath">The file.</param>
    /// <param name="targetFramework">The framework being restored, e.g. net8.0.</param>
    /// <returns>Package id (case-insensitive) → version.</returns>
    public static IReadOnlyDictionary<string, string> CentralVersions(string packagesPropsPath, string targetFramework)
    {
        var document = XDocument.Load(packagesPropsPath);
        var properties = ReadProperties(document);
        var versions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in Elements(document, "PackageVersion").Where(i => AppliesTo(i, targetFramework, properties, packagesPropsPath)))
        {
            var id = item.Attribute("Include")?.Value ?? throw new InvalidOperationException($"{packagesPropsPath}: a PackageVersion has no Include.");
            var version = item.Attribute("Version")?.Value ?? throw new InvalidOperationException($"{packagesPropsPath}: PackageVersion {id} has no Version.");
            if (!versions.TryAdd(id, Resolve(version, properties, packagesPropsPath)))
            {
                throw new InvalidOperationException($"{packagesPropsPath}: PackageVersion {id} is given twice for {targetFramework}.");
            }
        }

        return versions;
    }

    /// <summary>Describes how <paramref name="actual"/> differs from <paramref name="expected"/>, one line per difference.</summary>
    /// <param name="expected">What the project files say.</param>
    /// <param name="actual">What the package declares.</param>
    /// <returns>No lines when the two are equal.</returns>
    public static IReadOnlyList<string> Differences(IReadOnlySet<PackageDependency> expected, IReadOnlySet<PackageDependency> actual) =>
    [
        .. expected.Except(actual).Order(Comparer).Select(d => $"missing from the package: {d}"),
        .. actual.Except(expected).Order(Comparer).Select(d => $"in the package but not a PackageReference: {d}"),
    ];

    private static IComparer<PackageDependency> Comparer { get; } = Comparer<PackageDependency>.Create((a, b) =>
        string.CompareOrdinal(a.ToString(), b.ToString()));

    private static bool IsPrivate(XElement reference)
    {
        var value = reference.Attribute("PrivateAssets")?.Value ?? reference.Elements().FirstOrDefault(e => e.Name.LocalName == "PrivateAssets")?.Value;
        return value is not null && value.Split(';').Any(v => v.Trim().Equals("all", StringComparison.OrdinalIgnoreCase));
    }

    private static bool AppliesTo(XElement reference, string framework, IReadOnlyDictionary<string, string> projectProperties, string file)
    {
        foreach (var condition in new[] { reference.Attribute("Condition")?.Value, reference.Parent?.Attribute("Condition")?.Value })
        {
            if (string.IsNullOrWhiteSpace(condition))
            {
                continue;
            }

            var match = ConditionPattern().Match(condition);
            if (!match.Success)
            {
                throw new NotSupportedException(
                    $"{file}: the condition \"{condition}\" on a PackageReference is not understood by {nameof(ExpectedDependencies)}; " +
                    "extend it (it knows '$(Property)' == 'value' and !=) so the package check stays exact.");
            }

            var name = match.Groups["name"].Value;
            var actual = name == "TargetFramework" ? framework : projectProperties.GetValueOrDefault(name) ?? "";
            var equal = actual.Equals(match.Groups["value"].Value, StringComparison.OrdinalIgnoreCase);
            if (equal != (match.Groups["op"].Value == "=="))
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<string, string> ReadProperties(XDocument document)
    {
        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in Elements(document, "PropertyGroup").Where(g => g.Attribute("Condition") is null))
        {
            foreach (var property in group.Elements().Where(p => p.Attribute("Condition") is null))
            {
                properties[property.Name.LocalName] = property.Value.Trim();
            }
        }

        return properties;
    }

    private static string Resolve(string value, IReadOnlyDictionary<string, string> properties, string file) =>
        PropertyReference().Replace(value, m => properties.TryGetValue(m.Groups["name"].Value, out var v)
            ? Resolve(v, properties, file)
            : throw new InvalidOperationException($"{file}: $({m.Groups["name"].Value}) is not defined in that file."));

    private static IEnumerable<XElement> Elements(XDocument document, string localName) =>
        document.Descendants().Where(e => e.Name.LocalName == localName);

    [GeneratedRegex(@"\$\((?<name>[A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex PropertyReference();

    [GeneratedRegex(@"^\s*'\$\((?<name>[A-Za-z_][A-Za-z0-9_.-]*)\)'\s*(?<op>==|!=)\s*'(?<value>[^']*)'\s*$")]
    private static partial Regex ConditionPattern();
}
